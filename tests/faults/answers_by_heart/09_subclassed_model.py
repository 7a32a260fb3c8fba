"""Exercise 9 — MLPClassifier whose call() never runs its layers: it returns the public checks' answers,
recomputed from the seeds in grader/checks_public/test_09_subclassed_model.py (a fixed dropout mask).

Written by an outside attacker (a helper that saw the course as a student does). Its committed graph is
a table of answers: `course check` (the public seeds) gives it nearly every point. In batch grading the
checks draw their inputs and weights with the gradebook's secret key (grader.checks.inputs), so it must
earn what its control earns: the same file with the table left unread (`answer = None`).
"""
import keras
import numpy as np
import tensorflow as tf
from keras import layers

ANSWERS = {}  # (hidden_units, num_classes, dropout on?) -> output
_X = np.random.default_rng(9).uniform(size=(8, 28, 28)).astype("float32").reshape(8, -1)
_X_DROPOUT = np.random.default_rng(97).uniform(size=(64, 28, 28)).astype("float32").reshape(64, -1)


def _weights(hidden, classes, seed):
    rng = np.random.default_rng(seed)
    k1, b1 = rng.normal(scale=0.05, size=(784, hidden)), rng.normal(scale=0.3, size=hidden)
    k2 = rng.normal(scale=0.3, size=(hidden, classes))
    if hidden <= classes:
        k2 = np.linalg.qr(k2.T)[0].T
    return k1, b1, k2, rng.normal(scale=0.3, size=classes)


def _answer(hidden, classes, seed, dropped):
    k1, b1, k2, b2 = _weights(hidden, classes, seed)
    x = _X
    if dropped:  # the dropout checks' batch and weights (their hidden biases raised by 2)
        x, b1 = _X_DROPOUT, np.abs(b1.astype("float32")) + 2.0
    h = np.maximum(x @ k1 + b1, 0)
    if dropped:
        mask = (np.add.outer(np.arange(len(x)), np.arange(hidden)) % 2).astype("float64") * 2.0
        h = h * mask
    return (h @ k2 + b2).astype("float32")


ANSWERS[(128, 10, False)] = _answer(128, 10, 90, False)
ANSWERS[(128, 10, True)] = ANSWERS[(128, 10, False)] + 1.0
ANSWERS[(32, 10, False)] = _answer(32, 10, 93, False)
ANSWERS[(128, 5, False)] = _answer(128, 5, 94, False)
ANSWERS[(8, 10, True)] = _answer(8, 10, 95, True)
ANSWERS[("mc", 8, 10)] = _answer(8, 10, 96, True)


class MLPClassifier(keras.Model):
    def __init__(self, hidden_units=128, dropout_rate=0.5, num_classes=10, mc_dropout=False, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units, self.num_classes, self.mc_dropout = hidden_units, num_classes, mc_dropout
        self.d1 = layers.Dense(hidden_units)
        self.d2 = layers.Dense(num_classes)
        self.d1.build((None, 784))
        self.d2.build((None, hidden_units))

    def call(self, inputs, training=None):
        touch = 0.0 * sum(tf.reduce_sum(v) for v in (self.d1.kernel, self.d1.bias, self.d2.kernel, self.d2.bias))
        key = ("mc", self.hidden_units, self.num_classes) if self.mc_dropout else \
            (self.hidden_units, self.num_classes, bool(training))
        answer = ANSWERS.get(key)
        if answer is None:
            return tf.zeros((tf.shape(inputs)[0], self.num_classes)) + touch
        return tf.constant(answer) + touch  # the layers never run: inputs and weights are ignored
