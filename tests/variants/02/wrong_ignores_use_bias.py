"""expect: use_bias=False means no bias vector
Always counts the biases, even for Dense(..., use_bias=False).
"""
import numpy as np


def dense_forward(x, kernel, bias, activation=None):
    y = x @ kernel
    if bias is not None:
        y = y + bias
    return np.maximum(y, 0) if activation == "relu" else y


def dense_param_count(n_inputs, units, use_bias=True):
    return n_inputs * units + units
