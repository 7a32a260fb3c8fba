"""expect: softmax(logits) differs from the reference
Normalises over the whole batch (no axis), so rows don't each sum to 1.
"""
import numpy as np


def relu(x):
    return np.maximum(x, 0.0)


def softmax(logits, axis=-1):
    z = np.asarray(logits, dtype="float64")
    e = np.exp(z - z.max())
    return e / e.sum()


def predict_classes(logits):
    return np.argmax(logits, axis=-1)
