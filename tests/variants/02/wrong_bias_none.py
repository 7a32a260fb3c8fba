"""expect: raised TypeError
Always adds the bias, so bias=None (a layer without bias) crashes.
"""
import numpy as np


def dense_forward(x, kernel, bias, activation=None):
    y = np.dot(x, kernel) + bias
    return np.maximum(y, 0) if activation == "relu" else y


def dense_param_count(n_inputs, units, use_bias=True):
    return n_inputs * units + (units if use_bias else 0)
