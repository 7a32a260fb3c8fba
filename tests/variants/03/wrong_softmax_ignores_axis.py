"""expect: softmax(logits, axis=0) differs from the reference
Hard-codes the last axis and ignores the `axis` argument.
"""
import numpy as np


def relu(x):
    return np.maximum(x, 0.0)


def softmax(logits, axis=-1):
    z = np.asarray(logits, dtype="float64")
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def predict_classes(logits):
    return np.argmax(logits, axis=-1)
