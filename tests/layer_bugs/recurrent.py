"""Planted bugs of the recurrent family (see tests/layer_bugs/__init__.py).

Each is a CS231n-convention implementation (rnn_layers.py) with one classic mistake,
and `diagnosis` a substring of the diagnosis the oracle must name; the entries with
diagnosis None are right answers written another way (a loop over the public step
functions with a list of step caches, a dict cache, a loop over examples, a
loop-based embedding backward, a flattened softmax) and must pass.
"""

from __future__ import annotations

import numpy as np

from manual.layers.recurrent import (
    lstm_step_backward,
    lstm_step_forward,
    rnn_step_backward,
    rnn_step_forward,
    sigmoid,
    temporal_affine_forward,
    temporal_softmax_loss,
    word_embedding_forward,
)

from . import Planted

# --- sequences as a loop over a step (the harmless layout and the BPTT bugs) ---------------


def sequence_forward(step_forward, lstm: bool):
    """h (N, T, H) from a loop of `step_forward`; the cache is the list of step caches."""
    def forward(x, h0, Wx, Wh, b):
        h, c, hs, caches = h0, np.zeros_like(h0), [], []
        for t in range(x.shape[1]):
            if lstm:
                h, c, cache = step_forward(x[:, t], h, c, Wx, Wh, b)
            else:
                h, cache = step_forward(x[:, t], h, Wx, Wh, b)
            hs.append(h)
            caches.append(cache)
        return np.stack(hs, axis=1), caches
    return forward


def sequence_backward(step_backward, lstm: bool, *, carry_h=True, carry_c=True, keep_h0=True):
    """BPTT over the step caches; the switches plant the mistakes (see the twin's
    `mistakes`): carry_h False drops the next step's dh, carry_c False resets dc,
    keep_h0 False returns dh0 = 0."""
    def backward(dh, caches):
        dprev_h = dprev_c = np.zeros_like(dh[:, 0])
        dxs, total = [], None
        for t in reversed(range(dh.shape[1])):
            dnext_h = dh[:, t] + (dprev_h if carry_h else 0)
            if lstm:
                dnext_c = dprev_c if carry_c else np.zeros_like(dprev_c)
                dx, dprev_h, dprev_c, *params = step_backward(dnext_h, dnext_c, caches[t])
            else:
                dx, dprev_h, *params = step_backward(dnext_h, caches[t])
            dxs.append(dx)
            total = params if total is None else [p + q for p, q in zip(total, params)]
        dh0 = dprev_h if keep_h0 else np.zeros_like(dprev_h)
        return (np.stack(dxs[::-1], axis=1), dh0, *total)
    return backward


# --- rnn: tanh' taken of the input ----------------------------------------------------------


def rnn_step_forward_caching_a(x, prev_h, Wx, Wh, b):
    a = x @ Wx + prev_h @ Wh + b
    return np.tanh(a), (x, prev_h, Wx, Wh, a)


def rnn_step_backward_tanh_of_input(dnext_h, cache):
    x, prev_h, Wx, Wh, a = cache
    da = dnext_h * (1 - a**2)                       # the bug: 1 − a², not 1 − tanh(a)²
    return da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def rnn_step_backward_from_a(dnext_h, cache):
    """Right: tanh'(a) = 1 − tanh(a)² recomputed from the cached a."""
    x, prev_h, Wx, Wh, a = cache
    da = dnext_h * (1 - np.tanh(a) ** 2)
    return da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def rnn_step_backward_per_example(dnext_h, cache):
    """Right, one example at a time: the parameter gradients summed as outer products."""
    x, prev_h, Wx, Wh, next_h = cache
    da = dnext_h * (1 - next_h**2)
    dWx, dWh = np.zeros_like(Wx), np.zeros_like(Wh)
    for n in range(x.shape[0]):
        dWx += np.outer(x[n], da[n])
        dWh += np.outer(prev_h[n], da[n])
    return da @ Wx.T, da @ Wh.T, dWx, dWh, da.sum(axis=0)


# --- lstm step written out, with a gate order and a dict cache ------------------------------


def lstm_step_in_order(order: str):
    """(forward, backward) of an LSTM step reading its gates from the 4H columns in
    `order` ('ifog' is CS231n's, right; 'ifgo' is PyTorch's, the bug)."""
    def forward(x, prev_h, prev_c, Wx, Wh, b):
        H = prev_h.shape[1]
        a = x @ Wx + prev_h @ Wh + b
        blocks = {k: a[:, j * H:(j + 1) * H] for j, k in enumerate(order)}
        gate = {k: (np.tanh if k == "g" else sigmoid)(blocks[k]) for k in "ifog"}
        next_c = gate["f"] * prev_c + gate["i"] * gate["g"]
        next_h = gate["o"] * np.tanh(next_c)
        return next_h, next_c, {"x": x, "prev_h": prev_h, "prev_c": prev_c, "Wx": Wx,
                                "Wh": Wh, "next_c": next_c, **gate}
    def backward(dnext_h, dnext_c, cache):
        i, f, o, g = (cache[k] for k in "ifog")
        tanh_c = np.tanh(cache["next_c"])
        dc = dnext_c + dnext_h * o * (1 - tanh_c**2)
        d = {"i": dc * g * i * (1 - i), "f": dc * cache["prev_c"] * f * (1 - f),
             "o": dnext_h * tanh_c * o * (1 - o), "g": dc * i * (1 - g**2)}
        da = np.hstack([d[k] for k in order])
        return (da @ cache["Wx"].T, da @ cache["Wh"].T, dc * f, cache["x"].T @ da,
                cache["prev_h"].T @ da, da.sum(axis=0))
    return forward, backward


_IFGO = lstm_step_in_order("ifgo")
_IFOG = lstm_step_in_order("ifog")


def lstm_step_backward_gates_swapped(dnext_h, dnext_c, cache, *, cell_from_h=True):
    """CS231n's order in the forward, the gradients concatenated as i, f, g, o (the
    bug); with cell_from_h False instead (the other bug), the right order but
    δc = dnext_c alone."""
    i, f, o, g = (cache[k] for k in "ifog")
    tanh_c = np.tanh(cache["next_c"])
    dc = dnext_c + (dnext_h * o * (1 - tanh_c**2) if cell_from_h else 0)
    d = [dc * g * i * (1 - i), dc * cache["prev_c"] * f * (1 - f),
         dnext_h * tanh_c * o * (1 - o), dc * i * (1 - g**2)]
    da = np.hstack([d[0], d[1], d[3], d[2]] if cell_from_h else d)
    return (da @ cache["Wx"].T, da @ cache["Wh"].T, dc * f, cache["x"].T @ da,
            cache["prev_h"].T @ da, da.sum(axis=0))


def lstm_step_backward_no_h_into_c(dnext_h, dnext_c, cache):
    return lstm_step_backward_gates_swapped(dnext_h, dnext_c, cache, cell_from_h=False)


# --- word embedding, temporal affine and the temporal softmax loss --------------------------


def word_embedding_backward_lost_repeats(dout, cache):
    x, shape, dtype = cache
    dW = np.zeros(shape, dtype=dtype)
    dW[x] += dout                                   # the bug: one gradient per repeated word
    return dW


def word_embedding_backward_loop(dout, cache):
    """Right: a loop over (n, t), accumulating."""
    x, shape, dtype = cache
    dW = np.zeros(shape, dtype=dtype)
    for n, t in np.ndindex(*x.shape):
        dW[x[n, t]] += dout[n, t]
    return dW


def temporal_affine_backward_einsum(dout, cache):
    x, w = cache
    return (np.einsum("ntm,dm->ntd", dout, w), np.einsum("ntd,ntm->dm", x, dout),
            dout.sum(axis=(0, 1)))


def temporal_softmax_loss_flat(x, y, mask, verbose=False):
    """Right, another way: the steps flattened into rows, log-sum-exp by np.logaddexp,
    the target's 1 subtracted by fancy indexing, the mask as a weight per row."""
    N, T, V = x.shape
    rows, targets = np.arange(N * T), y.reshape(-1)
    scores = x.reshape(N * T, V)
    log_total = np.logaddexp.reduce(scores, axis=1)
    weight = mask.reshape(-1).astype(x.dtype) / N
    loss = np.dot(weight, log_total - scores[rows, targets])
    grad = np.exp(scores - log_total[:, None])
    grad[rows, targets] -= 1
    return loss, (grad * weight[:, None]).reshape(N, T, V)


def temporal_softmax_loss_unmasked_dx(x, y, mask):
    loss, dx = temporal_softmax_loss_flat(x, y, mask)
    return loss, temporal_softmax_loss_flat(x, y, np.ones_like(mask))[1]


def temporal_softmax_loss_over_n_t(x, y, mask):
    loss, dx = temporal_softmax_loss_flat(x, y, mask)
    return loss / x.shape[1], dx / x.shape[1]


_RNN = sequence_forward(rnn_step_forward, lstm=False)
_LSTM = sequence_forward(lstm_step_forward, lstm=True)

PLANTED: list[Planted] = [
    Planted("rnn_step-tanh-derivative-of-input", "rnn_step", rnn_step_forward_caching_a,
            rnn_step_backward_tanh_of_input, "1 − a² of its input"),
    Planted("rnn-tanh-derivative-of-input", "rnn",
            sequence_forward(rnn_step_forward_caching_a, lstm=False),
            sequence_backward(rnn_step_backward_tanh_of_input, lstm=False),
            "1 − a² of its input"),
    Planted("rnn-next-dh-not-added", "rnn", _RNN,
            sequence_backward(rnn_step_backward, lstm=False, carry_h=False),
            "the next step's dh not added"),
    Planted("rnn-dh0-left-out", "rnn", _RNN,
            sequence_backward(rnn_step_backward, lstm=False, keep_h0=False), "dh0 left out"),
    Planted("lstm_step-gates-ifgo", "lstm_step", *_IFGO, "i, f, g, o (PyTorch's)"),
    Planted("lstm_step-backward-gates-ifgo", "lstm_step", _IFOG[0],
            lstm_step_backward_gates_swapped, "wrong order in the backward"),
    Planted("lstm_step-dnext_h-not-into-cell", "lstm_step", _IFOG[0],
            lstm_step_backward_no_h_into_c, "dnext_h's path into the cell left out"),
    Planted("lstm-gates-ifgo", "lstm", sequence_forward(_IFGO[0], lstm=True),
            sequence_backward(_IFGO[1], lstm=True), "i, f, g, o (PyTorch's)"),
    Planted("lstm-cell-gradient-not-carried", "lstm", _LSTM,
            sequence_backward(lstm_step_backward, lstm=True, carry_c=False),
            "cell gradient not carried through time"),
    Planted("lstm-next-dh-not-added", "lstm", _LSTM,
            sequence_backward(lstm_step_backward, lstm=True, carry_h=False),
            "the next step's dh not added"),
    Planted("lstm-dh0-left-out", "lstm", _LSTM,
            sequence_backward(lstm_step_backward, lstm=True, keep_h0=False), "dh0 left out"),
    Planted("word_embedding-lost-repeats", "word_embedding", word_embedding_forward,
            word_embedding_backward_lost_repeats, "repeated word indices lose gradients"),
    Planted("temporal_softmax_loss-unmasked-dx", "temporal_softmax_loss",
            temporal_softmax_loss_unmasked_dx, None, "the mask left out of dx"),
    Planted("temporal_softmax_loss-over-NT", "temporal_softmax_loss",
            temporal_softmax_loss_over_n_t, None, "divided by N·T"),
    # harmless: right answers written another way
    Planted("rnn_step-cache-a", "rnn_step", rnn_step_forward_caching_a, rnn_step_backward_from_a,
            None),
    Planted("rnn_step-loop-over-examples", "rnn_step", rnn_step_forward,
            rnn_step_backward_per_example, None),
    Planted("rnn-loop-of-steps", "rnn", _RNN, sequence_backward(rnn_step_backward, lstm=False),
            None),
    Planted("lstm_step-dict-cache", "lstm_step", *_IFOG, None),
    Planted("lstm-loop-of-steps", "lstm", _LSTM,
            sequence_backward(lstm_step_backward, lstm=True), None),
    Planted("lstm-loop-of-dict-cache-steps", "lstm", sequence_forward(_IFOG[0], lstm=True),
            sequence_backward(_IFOG[1], lstm=True), None),
    Planted("word_embedding-loop", "word_embedding", word_embedding_forward,
            word_embedding_backward_loop, None),
    Planted("temporal_affine-einsum", "temporal_affine", temporal_affine_forward,
            temporal_affine_backward_einsum, None),
    Planted("temporal_softmax_loss-flat", "temporal_softmax_loss",
            temporal_softmax_loss_flat, None, None),
    Planted("temporal_softmax_loss-manual", "temporal_softmax_loss", temporal_softmax_loss,
            None, None),
]
