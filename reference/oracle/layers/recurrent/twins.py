"""The torch forwards of the recurrent family: functional, never in place, written
from torch ops (F.embedding, torch.tanh, torch.sigmoid, torch.matmul,
F.cross_entropy); a sequence twin loops over time in torch and autograd does the
backpropagation through time. CS231n's gate order in the 4H columns: i, f, o, g."""

from __future__ import annotations

from ..base import F, torch

__all__ = ["word_embedding", "rnn_step", "rnn", "lstm_step", "lstm", "temporal_affine",
           "temporal_softmax_loss"]


def word_embedding(t, config):
    return {"out": F.embedding(t["x"], t["W"])}


def _tanh_step(x, prev_h, Wx, Wh, b):
    return torch.tanh(torch.matmul(x, Wx) + torch.matmul(prev_h, Wh) + b)


def rnn_step(t, config):
    return {"next_h": _tanh_step(t["x"], t["prev_h"], t["Wx"], t["Wh"], t["b"])}


def rnn(t, config):
    h, hs = t["h0"], []
    for step in range(t["x"].shape[1]):
        h = _tanh_step(t["x"][:, step], h, t["Wx"], t["Wh"], t["b"])
        hs.append(h)
    return {"h": torch.stack(hs, dim=1)}


def _lstm_step(x, prev_h, prev_c, Wx, Wh, b):
    a = torch.matmul(x, Wx) + torch.matmul(prev_h, Wh) + b
    a_i, a_f, a_o, a_g = torch.chunk(a, 4, dim=1)
    next_c = torch.sigmoid(a_f) * prev_c + torch.sigmoid(a_i) * torch.tanh(a_g)
    return torch.sigmoid(a_o) * torch.tanh(next_c), next_c


def lstm_step(t, config):
    next_h, next_c = _lstm_step(t["x"], t["prev_h"], t["prev_c"], t["Wx"], t["Wh"], t["b"])
    return {"next_h": next_h, "next_c": next_c}


def lstm(t, config):
    h, hs = t["h0"], []
    c = torch.zeros_like(h)
    for step in range(t["x"].shape[1]):
        h, c = _lstm_step(t["x"][:, step], h, c, t["Wx"], t["Wh"], t["b"])
        hs.append(h)
    return {"h": torch.stack(hs, dim=1)}


def temporal_affine(t, config):
    return {"out": torch.matmul(t["x"], t["w"]) + t["b"]}


def temporal_softmax_loss(t, config):
    """Σ over the unmasked steps of the cross-entropy, divided by N (CS231n's)."""
    x = t["x"]
    N, T, V = x.shape
    per_step = F.cross_entropy(x.reshape(N * T, V), t["y"].reshape(N * T), reduction="none")
    return {"loss": torch.sum(per_step * t["mask"].reshape(N * T).to(x.dtype)) / N}
