"""Hostile: imports torch to let autograd do the backward work (not allowed)."""
import numpy as np
import torch


def rnn_cell_forward(xt, a_prev, parameters):
    a_next = np.tanh(parameters["Wax"] @ xt + parameters["Waa"] @ a_prev + parameters["ba"])
    z = torch.from_numpy(parameters["Wya"] @ a_next + parameters["by"])
    return a_next, torch.softmax(z, dim=0).numpy(), (a_next, a_prev, xt, parameters)
