"""backprop-oracle's hand-written NumPy backpropagation (never imports torch).

    from manual import Network
    net = Network.init([4, 5, 1], activations=["relu", "sigmoid"], loss="bce")
    g = net.backprop(X, Y)        # g.deltas[l], g.dW[l], g.db[l], g.cost
"""

from .activations import (
                          ACTIVATIONS,
                          Activation,
                          get_activation,
                          register_activation,
                          unregister_activation,
)
from .equations import bp1, bp2, bp3, bp4
from .errors import InputError
from .gradcheck import gradient_check
from .init import initialize
from .losses import LOSSES, Loss, get_loss, register_loss
from .network import Gradients, Network

__all__ = [
    "ACTIVATIONS", "LOSSES", "Activation", "Gradients", "InputError", "Loss", "Network",
    "bp1", "bp2", "bp3", "bp4", "get_activation", "get_loss", "gradient_check", "initialize",
    "register_activation", "register_loss", "unregister_activation",
]
