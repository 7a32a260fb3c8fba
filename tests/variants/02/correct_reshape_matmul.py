"""Fold the leading axes into one, np.matmul, then unfold them again."""
import numpy as np


def dense_forward(x, kernel, bias, activation=None):
    x = np.asarray(x)
    kernel = np.asarray(kernel)
    lead = x.shape[:-1]
    rows = x.reshape(-1, x.shape[-1])
    out = np.matmul(rows, kernel)
    if bias is not None:
        out = out + np.asarray(bias)[np.newaxis, :]
    if activation == "relu":
        out = out * (out > 0)
    return out.reshape(*lead, kernel.shape[1])


def dense_param_count(n_inputs, units, use_bias=True):
    return n_inputs * units + use_bias * units
