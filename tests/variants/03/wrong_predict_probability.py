"""expect: predict_classes returned non-integer values
Returns each row's highest probability instead of the class id.
"""
import numpy as np


def relu(x):
    return np.maximum(x, 0.0)


def softmax(logits, axis=-1):
    z = np.asarray(logits, dtype="float64")
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def predict_classes(logits):
    return softmax(logits).max(axis=-1)
