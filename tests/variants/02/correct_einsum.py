"""np.einsum over the last axis; the parameter count factored as units × (inputs + 1).
styles: numpy-alternative
"""
import numpy as np


def dense_forward(x, kernel, bias, activation=None):
    out = np.einsum("...i,ij->...j", x, kernel)
    if bias is not None:
        out = out + bias
    if activation == "relu":
        out = np.where(out > 0, out, 0.0)
    return out


def dense_param_count(n_inputs, units, use_bias=True):
    return units * (n_inputs + (1 if use_bias else 0))
