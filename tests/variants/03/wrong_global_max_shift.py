"""expect: returns NaN or inf
Subtracts the maximum of the whole batch instead of each row's maximum: a row far below the batch's
maximum underflows to all zeros, and 0 / 0 is NaN.
"""
import numpy as np


def relu(x):
    return np.maximum(x, 0.0)


def softmax(logits, axis=-1):
    z = np.asarray(logits, dtype="float64")
    e = np.exp(z - z.max())
    return e / e.sum(axis=axis, keepdims=True)


def predict_classes(logits):
    return np.argmax(logits, axis=-1)
