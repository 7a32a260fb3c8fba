"""expect: dense_forward on a (5, 4) batch with activation='relu' differs from the reference
Applies relu to x @ kernel and adds the bias afterwards.
"""
import numpy as np


def dense_forward(x, kernel, bias, activation=None):
    y = x @ kernel
    if activation == "relu":
        y = np.maximum(y, 0)
    if bias is not None:
        y = y + bias
    return y


def dense_param_count(n_inputs, units, use_bias=True):
    return n_inputs * units + (units if use_bias else 0)
