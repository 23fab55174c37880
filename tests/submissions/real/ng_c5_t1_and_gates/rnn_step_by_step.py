import numpy as np

def softmax(x):
    e_x = np.exp(x - np.max(x))
    return e_x / e_x.sum(axis=0)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))

def rnn_cell_forward(xt, a_prev, parameters):
    """One RNN step: a_next = tanh(Waa a_prev + Wax xt + ba), yt_pred = softmax(Wya a_next + by)."""
    a_next = np.tanh(parameters["Waa"] @ a_prev + parameters["Wax"] @ xt + parameters["ba"])
    yt_pred = softmax(parameters["Wya"] @ a_next + parameters["by"])
    cache = (a_next, a_prev, xt, parameters)
    return a_next, yt_pred, cache

def rnn_forward(x, a0, parameters):
    """The cell over the T_x steps of x (n_x, m, T_x)."""
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wya"].shape
    a = np.zeros((n_a, m, T_x))
    y_pred = np.zeros((n_y, m, T_x))
    a_next = a0
    for t in range(T_x):
        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)
        a[:, :, t] = a_next
        y_pred[:, :, t] = yt_pred
        caches.append(cache)
    return a, y_pred, (caches, x)

def lstm_cell_forward(xt, a_prev, c_prev, parameters):
    """One LSTM step on concat = [a_prev; xt]."""
    n_x, m = xt.shape
    n_y, n_a = parameters["Wy"].shape
    concat = np.concatenate([a_prev, xt], axis=0)
    ft = sigmoid(parameters["Wf"] @ concat + parameters["bf"])
    it = sigmoid(parameters["Wi"] @ concat + parameters["bi"])
    cct = np.tanh(parameters["Wc"] @ concat + parameters["bc"])
    c_next = ft * c_prev + it * cct
    ot = sigmoid(parameters["Wo"] @ concat + parameters["bo"])
    a_next = ot * np.tanh(c_next)
    yt_pred = softmax(parameters["Wy"] @ a_next + parameters["by"])
    cache = (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)
    return a_next, c_next, yt_pred, cache

def lstm_forward(x, a0, parameters):
    """The LSTM cell over x, c starting at zero."""
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wy"].shape
    a = np.zeros((n_a, m, T_x))
    c = np.zeros((n_a, m, T_x))
    y = np.zeros((n_y, m, T_x))
    a_next, c_next = a0, np.zeros((n_a, m))
    for t in range(T_x):
        a_next, c_next, yt, cache = lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)
        a[:, :, t], c[:, :, t], y[:, :, t] = a_next, c_next, yt
        caches.append(cache)
    return a, y, c, (caches, x)

def rnn_cell_backward(da_next, cache):
    """Gradients of one RNN step from da_next."""
    (a_next, a_prev, xt, parameters) = cache
    dz = (1 - a_next ** 2) * da_next
    gradients = {"dxt": parameters["Wax"].T @ dz, "da_prev": parameters["Waa"].T @ dz,
                 "dWax": dz @ xt.T, "dWaa": dz @ a_prev.T,
                 "dba": np.sum(dz, axis=1, keepdims=True)}
    return gradients

def rnn_backward(da, caches):
    """Back through time: each step's gradient plus what the next step sends back."""
    (caches, x) = caches
    (a1, a0, x1, parameters) = caches[1]
    n_a, m, T_x = da.shape
    n_x, m = x1.shape
    dx = np.zeros((n_x, m, T_x))
    dWax = np.zeros((n_a, n_x))
    dWaa = np.zeros((n_a, n_a))
    dba = np.zeros((n_a, 1))
    da_prevt = np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        g = rnn_cell_backward(da[:, :, t] + da_prevt, caches[t])
        dx[:, :, t] = g["dxt"]
        da_prevt = g["da_prev"]
        dWax += g["dWax"]
        dWaa += g["dWaa"]
        dba += g["dba"]
    return {"dx": dx, "da0": da_prevt, "dWax": dWax, "dWaa": dWaa, "dba": dba}

def lstm_cell_backward(da_next, dc_next, cache):
    """Gradients of one LSTM step from da_next and dc_next."""
    (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters) = cache
    n_a, m = a_next.shape
    concat = np.concatenate([a_prev, xt], axis=0)
    dc = dc_next + da_next * ot * (1 - np.tanh(c_next) ** 2)
    dot = da_next * np.tanh(c_next)
    dcct = dc * it
    dit = dc * cct
    dft = dc * c_prev
    dWf = (dft * ft * (1 - ft)) @ concat.T
    dWi = (dit * it * (1 - it)) @ concat.T
    dWc = (dcct * (1 - cct ** 2)) @ concat.T
    dWo = (dot * ot * (1 - ot)) @ concat.T
    dbf = np.sum(dft * ft * (1 - ft), axis=1, keepdims=True)
    dbi = np.sum(dit * it * (1 - it), axis=1, keepdims=True)
    dbc = np.sum(dcct * (1 - cct ** 2), axis=1, keepdims=True)
    dbo = np.sum(dot * ot * (1 - ot), axis=1, keepdims=True)
    back = (parameters["Wf"].T @ dft + parameters["Wi"].T @ dit + parameters["Wc"].T @ dcct + parameters["Wo"].T @ dot)
    gradients = {"dxt": back[n_a:], "da_prev": back[:n_a], "dc_prev": dc * ft,
                 "dWf": dWf, "dbf": dbf, "dWi": dWi, "dbi": dbi,
                 "dWc": dWc, "dbc": dbc, "dWo": dWo, "dbo": dbo}
    return gradients

def lstm_backward(da, caches):
    """Back through the LSTM's time steps."""
    (caches, x) = caches
    (a1, c1, a0, c0, f1, i1, cc1, o1, x1, parameters) = caches[0]
    n_a, m, T_x = da.shape
    n_x, m = x1.shape
    dx = np.zeros((n_x, m, T_x))
    grads = {k: np.zeros((n_a, n_a + n_x)) for k in ("dWf", "dWi", "dWc", "dWo")}
    grads.update({k: np.zeros((n_a, 1)) for k in ("dbf", "dbi", "dbc", "dbo")})
    da_prevt = np.zeros((n_a, m))
    dc_prevt = np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        g = lstm_cell_backward(da[:, :, t] + da_prevt, dc_prevt, caches[t])
        dx[:, :, t] = g["dxt"]
        da_prevt = g["da_prev"]
        dc_prevt = g["dc_prev"]
        for k in grads:
            grads[k] = g[k]
    return {"dx": dx, "da0": g["da_prev"], **grads}
