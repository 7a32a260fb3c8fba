"""Move `axis` to the end, work row by row on the last axis, move it back; relu as (x + |x|) / 2."""
import numpy as np


def relu(x):
    x = np.asarray(x, dtype="float64")
    return (x + np.abs(x)) / 2


def softmax(logits, axis=-1):
    z = np.moveaxis(np.asarray(logits, dtype="float64"), axis, -1)
    z = z - z.max(axis=-1)[..., None]
    p = np.exp(z)
    p /= p.sum(axis=-1)[..., None]
    return np.moveaxis(p, -1, axis)


def predict_classes(logits):
    logits = np.asarray(logits)
    return np.array([int(np.argmax(row)) for row in logits.reshape(-1, logits.shape[-1])])
