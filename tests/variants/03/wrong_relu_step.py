"""expect: relu returns only 0s and 1s
ReLU as a fire / don't-fire step function.
"""
import numpy as np


def relu(x):
    return (np.asarray(x) > 0).astype("float64")


def softmax(logits, axis=-1):
    z = np.asarray(logits, dtype="float64")
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def predict_classes(logits):
    return np.argmax(logits, axis=-1)
