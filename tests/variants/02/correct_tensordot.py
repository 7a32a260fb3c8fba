"""np.tensordot contracting x's last axis with the kernel's first; relu with np.clip.
styles: numpy-alternative
"""
import numpy as np


def dense_forward(x, kernel, bias, activation=None):
    x = np.asarray(x, dtype=np.float64)
    y = np.tensordot(x, np.asarray(kernel, dtype=np.float64), axes=([x.ndim - 1], [0]))
    if bias is not None:
        y += np.asarray(bias, dtype=np.float64)
    if activation is not None:
        assert activation == "relu", activation
        y = np.clip(y, 0, None)
    return y


def dense_param_count(n_inputs, units, use_bias=True):
    weights = n_inputs * units
    biases = units if use_bias else 0
    return weights + biases
