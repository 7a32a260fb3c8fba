"""expect: overwrote the array it was given
Computes softmax in place (z -= ...; np.exp(z, out=z)): np.asarray does not copy a float64 array, so
the caller's logits are overwritten with probabilities.
"""
import numpy as np


def relu(x):
    x = np.asarray(x, dtype="float64")
    x[x < 0] = 0
    return x


def softmax(logits, axis=-1):
    z = np.asarray(logits, dtype="float64")
    z -= z.max(axis=axis, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=axis, keepdims=True)
    return z


def predict_classes(logits):
    return np.argmax(logits, axis=-1)
