"""expect: dense_forward on a (4, 6) batch differs from the reference
Uses the kernel as if it were (units, n_inputs): x @ kernel.T does not even fit, so this learner
"fixes" the shapes by reading the kernel's values in the wrong order.
"""
import numpy as np


def dense_forward(x, kernel, bias, activation=None):
    k = np.asarray(kernel)
    y = x @ k.T.reshape(k.shape)
    if bias is not None:
        y = y + bias
    return np.maximum(y, 0) if activation == "relu" else y


def dense_param_count(n_inputs, units, use_bias=True):
    return n_inputs * units + (units if use_bias else 0)
