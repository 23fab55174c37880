"""The classic wrong gradients of the recurrent family, as NumPy formulas: each
`fn(arrays, config, upstream) -> {name: array}` gives what an implementation with
that one mistake returns on the case, so a wrong answer that matches is named.

Written here from the equations (never from `manual`), in float64: a small RNN and
LSTM walker whose switches are the mistakes. A mistake that changes the forward
too (gates read in PyTorch's order) also returns the outputs it produces, under
the outputs' names ('next_h', 'h'); a loss's mistakes return 'loss' and 'dx'.
"""

from __future__ import annotations

import numpy as np

__all__ = ["MISTAKES"]

CS231N = "ifog"


def _f64(arrays: dict) -> dict:
    return {k: np.asarray(v, dtype=np.float64) if np.asarray(v).dtype.kind == "f" else
            np.asarray(v) for k, v in arrays.items()}


def _sequence(arrays, upstream, step: bool):
    """(x (N, T, D), h0, dh (N, T, H)) of a step (T = 1) or of a sequence."""
    a = _f64(arrays)
    if step:
        return a["x"][:, None], a["prev_h"], np.asarray(upstream["dnext_h"], float)[:, None], a
    return a["x"], a["h0"], np.asarray(upstream["dh"], float), a


def _grads(step: bool, dx, dh0, dWx, dWh, db) -> dict:
    if step:
        return {"dx": dx[:, 0], "dprev_h": dh0, "dWx": dWx, "dWh": dWh, "db": db}
    return {"dx": dx, "dh0": dh0, "dWx": dWx, "dWh": dWh, "db": db}


def rnn_walk(arrays, upstream, *, step: bool, carry=True, tanh_of_input=False, keep_h0=True):
    """An RNN's gradients with the mistakes switched on: `carry` False drops the next
    step's dh, `tanh_of_input` takes tanh' as 1 − a² of the pre-activation a,
    `keep_h0` False returns dh0 = 0."""
    x, h0, dh, a = _sequence(arrays, upstream, step)
    Wx, Wh, b = a["Wx"], a["Wh"], a["b"]
    hs, pre = [h0], []
    for t in range(x.shape[1]):
        pre.append(x[:, t] @ Wx + hs[-1] @ Wh + b)
        hs.append(np.tanh(pre[-1]))
    dx, dWx, dWh = np.zeros_like(x), np.zeros_like(Wx), np.zeros_like(Wh)
    db, dnext = np.zeros_like(b), np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        derivative = 1 - (pre[t] if tanh_of_input else hs[t + 1]) ** 2
        delta = (dh[:, t] + (dnext if carry else 0)) * derivative
        dx[:, t], dnext = delta @ Wx.T, delta @ Wh.T
        dWx, dWh, db = dWx + x[:, t].T @ delta, dWh + hs[t].T @ delta, db + delta.sum(0)
    return _grads(step, dx, dnext if keep_h0 else np.zeros_like(dnext), dWx, dWh, db)


def _sigmoid(a):
    return 0.5 * (1 + np.tanh(a / 2))


def lstm_walk(arrays, upstream, *, step: bool, order=CS231N, backward_order=CS231N,
              carry_c=True, carry_h=True, cell_from_h=True, keep_h0=True):
    """An LSTM's gradients (and, when `order` is not CS231n's, its outputs) with the
    mistakes switched on: gates read in `order` and their gradients concatenated in
    `backward_order`, `carry_c`/`carry_h` False drop dc/dh from the next step,
    `cell_from_h` False leaves dnext_h's path into the cell out, `keep_h0` False
    returns dh0 = 0."""
    x, h0, dh, a = _sequence(arrays, upstream, step)
    Wx, Wh, b = a["Wx"], a["Wh"], a["b"]
    H = h0.shape[1]
    c0 = a["prev_c"] if step else np.zeros_like(h0)
    hs, cs, gates = [h0], [c0], []
    for t in range(x.shape[1]):
        pre = x[:, t] @ Wx + hs[-1] @ Wh + b
        gate = {k: pre[:, j * H:(j + 1) * H] for j, k in enumerate(order)}
        i, f, o, g = (_sigmoid(gate["i"]), _sigmoid(gate["f"]), _sigmoid(gate["o"]),
                      np.tanh(gate["g"]))
        cs.append(f * cs[-1] + i * g)
        hs.append(o * np.tanh(cs[-1]))
        gates.append((i, f, o, g))
    dx, dWx, dWh = np.zeros_like(x), np.zeros_like(Wx), np.zeros_like(Wh)
    db, dh_next, dc_next = np.zeros_like(b), np.zeros_like(h0), np.zeros_like(h0)
    if step:
        dc_next = np.asarray(upstream["dnext_c"], float)
    for t in reversed(range(x.shape[1])):
        i, f, o, g = gates[t]
        dh_t = dh[:, t] + (dh_next if carry_h else 0)
        tanh_c = np.tanh(cs[t + 1])
        dc = (dc_next if (carry_c or step) else 0) + (
            dh_t * o * (1 - tanh_c**2) if cell_from_h else 0)
        d = {"i": dc * g * i * (1 - i), "f": dc * cs[t] * f * (1 - f),
             "o": dh_t * tanh_c * o * (1 - o), "g": dc * i * (1 - g**2)}
        delta = np.concatenate([d[k] for k in backward_order], axis=1)
        dx[:, t], dh_next, dc_next = delta @ Wx.T, delta @ Wh.T, dc * f
        dWx, dWh, db = dWx + x[:, t].T @ delta, dWh + hs[t].T @ delta, db + delta.sum(0)
    out = _grads(step, dx, dh_next if keep_h0 else np.zeros_like(dh_next), dWx, dWh, db)
    if step:
        out["dprev_c"] = dc_next
    if order != CS231N:
        out.update({"next_h": hs[-1], "next_c": cs[-1]} if step else
                   {"h": np.stack(hs[1:], axis=1)})
    return out


def embedding_lost_repeats(arrays, config, upstream) -> dict:
    """`dW[x] += dout`: a buffered fancy-index update keeps one gradient per word."""
    x, W = np.asarray(arrays["x"]), np.asarray(arrays["W"])
    dW = np.zeros(W.shape)
    dW[x] += np.asarray(upstream["dout"], float)
    return {"dW": dW}


def _softmax_parts(arrays):
    a = _f64(arrays)
    x, y, mask = a["x"], a["y"].astype(np.intp), a["mask"].astype(bool)
    z = x - x.max(axis=2, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=2, keepdims=True))
    onehot = np.eye(x.shape[2])[y]
    nll = -(log_p * onehot).sum(axis=2)
    return x.shape[0], x.shape[1], nll, np.exp(log_p) - onehot, mask


def loss_unmasked_dx(arrays, config, upstream) -> dict:
    N, _, nll, dx, mask = _softmax_parts(arrays)
    return {"loss": np.sum(nll * mask) / N, "dx": dx / N}


def loss_over_n_t(arrays, config, upstream) -> dict:
    N, T, nll, dx, mask = _softmax_parts(arrays)
    return {"loss": np.sum(nll * mask) / (N * T), "dx": dx * mask[..., None] / (N * T)}


def _walk(walker, step: bool, **switches):
    return lambda arrays, config, upstream: walker(arrays, upstream, step=step, **switches)


_TANH_INPUT = ("tanh's derivative taken as 1 − a² of its input a, not 1 − tanh(a)² "
               "= 1 − next_h²")
_NO_DH = ("the next step's dh not added: BPTT needs dh[:, t] plus the dprev_h that "
          "step t+1 sends back")
_NO_DH0 = "dh0 left out (zero): it is the dprev_h of the first step"
_ORDER = ("LSTM gates in the wrong order: i, f, g, o (PyTorch's) read from the 4H "
          "columns; CS231n's order is i, f, o, g")
_ORDER_BACKWARD = ("LSTM gates in the wrong order in the backward: the gate gradients "
                   "concatenated as i, f, g, o; the forward's (CS231n's) order is i, f, o, g")
_NO_DC = ("the cell gradient not carried through time: dc reset each step (step t "
          "needs the dprev_c of step t+1 as its dnext_c)")
_NO_CELL_FROM_H = ("dnext_h's path into the cell left out: δc = dnext_c + dnext_h ⊙ o ⊙ "
                   "(1 − tanh²(next_c))")


def _rnn_mistakes(step: bool) -> dict:
    found = {_TANH_INPUT: _walk(rnn_walk, step, tanh_of_input=True)}
    if not step:
        found.update({_NO_DH: _walk(rnn_walk, step, carry=False),
                      _NO_DH0: _walk(rnn_walk, step, keep_h0=False)})
    return found


def _lstm_mistakes(step: bool) -> dict:
    found = {_ORDER: _walk(lstm_walk, step, order="ifgo", backward_order="ifgo"),
             _ORDER_BACKWARD: _walk(lstm_walk, step, backward_order="ifgo"),
             _NO_CELL_FROM_H: _walk(lstm_walk, step, cell_from_h=False)}
    if not step:
        found.update({_NO_DC: _walk(lstm_walk, step, carry_c=False),
                      _NO_DH: _walk(lstm_walk, step, carry_h=False),
                      _NO_DH0: _walk(lstm_walk, step, keep_h0=False)})
    return found


MISTAKES: dict[str, dict] = {
    "word_embedding": {
        "repeated word indices lose gradients: `dW[x] += dout` keeps one per word; "
        "np.add.at(dW, x, dout) accumulates them": embedding_lost_repeats},
    "rnn_step": _rnn_mistakes(step=True),
    "rnn": _rnn_mistakes(step=False),
    "lstm_step": _lstm_mistakes(step=True),
    "lstm": _lstm_mistakes(step=False),
    "temporal_affine": {},
    "temporal_softmax_loss": {
        "the mask left out of dx: masked steps must get no gradient": loss_unmasked_dx,
        "divided by N·T: CS231n's temporal softmax loss sums over the steps and "
        "divides by N only": loss_over_n_t},
}
