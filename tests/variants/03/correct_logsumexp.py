"""softmax = exp(z - logsumexp(z)), with a hand-written stable logsumexp; relu with np.where."""
import numpy as np


def relu(x):
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, x, 0.0)


def _logsumexp(z, axis):
    m = np.max(z, axis=axis, keepdims=True)
    return m + np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))


def softmax(logits, axis=-1):
    z = np.asarray(logits, dtype=np.float64)
    return np.exp(z - _logsumexp(z, axis))


def predict_classes(logits):
    return np.argmax(logits, axis=1)
