"""expect: predict_classes on 8 rows returned shape (10,); expected (8,)
Takes the argmax down the batch axis instead of across the classes.
"""
import numpy as np


def relu(x):
    return np.maximum(x, 0.0)


def softmax(logits, axis=-1):
    z = np.asarray(logits, dtype="float64")
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def predict_classes(logits):
    return np.argmax(logits, axis=0)
