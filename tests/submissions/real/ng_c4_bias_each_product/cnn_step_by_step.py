# Convolution model, step by step (course 4, week 1)
import numpy as np

def zero_pad(X, pad):
    """X (m, n_H, n_W, n_C) with `pad` zeros around each image."""
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="constant")

def conv_single_step(a_slice_prev, W, b):
    """One window times one filter, summed, plus the bias."""
    s = a_slice_prev * W + b
    Z = np.sum(s)
    return Z

def conv_forward(A_prev, W, b, hparameters):
    """Z (m, n_H, n_W, n_C) and the cache (A_prev, W, b, hparameters)."""
    (m, n_H_prev, n_W_prev, n_C_prev) = A_prev.shape
    (f, f, n_C_prev, n_C) = W.shape
    stride = hparameters["stride"]
    pad = hparameters["pad"]
    n_H = (n_H_prev - f + 2 * pad) // stride + 1
    n_W = (n_W_prev - f + 2 * pad) // stride + 1
    Z = np.zeros((m, n_H, n_W, n_C))
    A_prev_pad = zero_pad(A_prev, pad)
    for i in range(m):
        a_prev_pad = A_prev_pad[i]
        for h in range(n_H):
            top = h * stride
            for w in range(n_W):
                left = w * stride
                for c in range(n_C):
                    window = a_prev_pad[top:top + f, left:left + f, :]
                    Z[i, h, w, c] = conv_single_step(window, W[:, :, :, c], b[:, :, :, c])
    cache = (A_prev, W, b, hparameters)
    return Z, cache

def pool_forward(A_prev, hparameters, mode="max"):
    """A (m, n_H, n_W, n_C): the max or the mean of each f x f window."""
    (m, n_H_prev, n_W_prev, n_C_prev) = A_prev.shape
    f = hparameters["f"]
    stride = hparameters["stride"]
    n_H = int(1 + (n_H_prev - f) / stride)
    n_W = int(1 + (n_W_prev - f) / stride)
    A = np.zeros((m, n_H, n_W, n_C_prev))
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C_prev):
                    window = A_prev[i, h * stride:h * stride + f, w * stride:w * stride + f, c]
                    if mode == "max":
                        A[i, h, w, c] = np.max(window)
                    elif mode == "average":
                        A[i, h, w, c] = np.mean(window)
    cache = (A_prev, hparameters)
    return A, cache

def conv_backward(dZ, cache):
    """dA_prev, dW, db from dZ and the cache of conv_forward."""
    (A_prev, W, b, hparameters) = cache
    (m, n_H_prev, n_W_prev, n_C_prev) = A_prev.shape
    (f, f, n_C_prev, n_C) = W.shape
    stride = hparameters["stride"]
    pad = hparameters["pad"]
    (m, n_H, n_W, n_C) = dZ.shape
    dA_prev = np.zeros(A_prev.shape)
    dW = np.zeros(W.shape)
    db = np.zeros(b.shape)
    A_prev_pad = zero_pad(A_prev, pad)
    dA_prev_pad = zero_pad(dA_prev, pad)
    for i in range(m):
        a_prev_pad = A_prev_pad[i]
        da_prev_pad = dA_prev_pad[i]
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    top = h * stride
                    left = w * stride
                    a_slice = a_prev_pad[top:top + f, left:left + f, :]
                    da_prev_pad[top:top + f, left:left + f, :] += W[:, :, :, c] * dZ[i, h, w, c]
                    dW[:, :, :, c] += a_slice * dZ[i, h, w, c]
                    db[:, :, :, c] += dZ[i, h, w, c]
        dA_prev[i, :, :, :] = da_prev_pad[pad:-pad, pad:-pad, :]
    return dA_prev, dW, db

def create_mask_from_window(x):
    """True where x holds its maximum."""
    return x == np.max(x)

def distribute_value(dz, shape):
    """dz spread evenly over a window of `shape`."""
    (n_H, n_W) = shape
    return np.full(shape, dz / (n_H * n_W))

def pool_backward(dA, cache, mode="max"):
    """dA_prev: each window's gradient sent back to its max (or spread over it)."""
    (A_prev, hparameters) = cache
    stride = hparameters["stride"]
    f = hparameters["f"]
    m, n_H, n_W, n_C = dA.shape
    dA_prev = np.zeros(A_prev.shape)
    for i in range(m):
        a_prev = A_prev[i]
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    top = h * stride
                    left = w * stride
                    if mode == "max":
                        mask = create_mask_from_window(a_prev[top:top + f, left:left + f, c])
                        dA_prev[i, top:top + f, left:left + f, c] += mask * dA[i, h, w, c]
                    elif mode == "average":
                        dA_prev[i, top:top + f, left:left + f, c] += distribute_value(
                            dA[i, h, w, c], (f, f))
    return dA_prev
