"""scipy.special.softmax (it shifts by the maximum itself); relu as np.clip; argmax along the last axis.
styles: numpy-alternative
"""
import numpy as np
from scipy.special import softmax as scipy_softmax


def relu(x):
    return np.clip(np.array(x, dtype=np.float64), 0.0, None)


def softmax(logits, axis=-1):
    return scipy_softmax(np.array(logits, dtype=np.float64), axis=axis)


def predict_classes(logits):
    return np.asarray(logits).argmax(axis=-1)
