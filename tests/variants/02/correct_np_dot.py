"""np.dot (for a 2-D kernel it contracts x's last axis with the kernel's first); ReLU with a boolean mask.
styles: numpy-alternative
"""
import numpy as np


def dense_forward(x, kernel, bias, activation=None):
    out = np.dot(np.asarray(x, dtype=float), np.asarray(kernel, dtype=float))
    if bias is not None:
        out = out + np.asarray(bias, dtype=float)
    if activation == "relu":
        out = out * (out > 0)
    elif activation is not None:
        raise ValueError(f"unknown activation {activation!r}")
    return out


def dense_param_count(n_inputs, units, use_bias=True):
    weights = n_inputs * units
    return weights + units if use_bias else weights
