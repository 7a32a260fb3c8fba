"""expect: Dense acts on the LAST axis of an input of any rank
Reshapes x to a 2-D (rows, features) matrix and never restores the leading axes.
"""
import numpy as np


def dense_forward(x, kernel, bias, activation=None):
    rows = np.reshape(x, (-1, kernel.shape[0]))
    y = rows @ kernel
    if bias is not None:
        y = y + bias
    return np.maximum(y, 0) if activation == "relu" else y


def dense_param_count(n_inputs, units, use_bias=True):
    return n_inputs * units + (units if use_bias else 0)
