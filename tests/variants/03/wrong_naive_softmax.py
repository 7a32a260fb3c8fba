"""expect: returns NaN or inf
Textbook softmax without subtracting the maximum: exp(1e4) overflows.
"""
import numpy as np


def relu(x):
    return np.maximum(x, 0.0)


def softmax(logits, axis=-1):
    e = np.exp(np.asarray(logits, dtype="float64"))
    return e / e.sum(axis=axis, keepdims=True)


def predict_classes(logits):
    return np.argmax(logits, axis=-1)
