"""Exercise 8 — MyDense whose call() ignores inputs and weights: it returns the public checks' answers,
recomputed from the seeds in grader/checks_public/test_08_custom_layer.py, picked by the traced input shape.

Written by an outside attacker (a helper that saw the course as a student does). Its committed graph is
a table of answers: `course check` (the public seeds) gives it nearly every point. In batch grading the
checks draw their inputs and weights with the gradebook's secret key (grader.checks.inputs), so it must
earn what its control earns: the same file with the table left unread (`answer = None`).
"""
import keras
import numpy as np
import tensorflow as tf

ANSWERS = {}  # (input shape, units) -> expected output


def _key(shape, units):
    return (tuple(int(d) for d in shape[1:]), int(units))


for xseed, shape, units, act, bias, wseed in ((81, (4, 6), 3, None, True, 1), (82, (5, 4), 7, "relu", True, 2),
                                             (83, (3, 5), 2, None, False, 3), (84, (2, 5, 3), 4, "relu", True, 4)):
    x = np.random.default_rng(xseed).normal(size=shape).astype("float32")
    rng = np.random.default_rng(wseed)
    k = rng.normal(size=(shape[-1], units)).astype("float32")
    y = x @ k
    if bias:
        y = y + rng.normal(size=(units,)).astype("float32")
    if act == "relu":
        y = np.maximum(y, 0)
    ANSWERS[_key(shape, units)] = y.astype("float32")
_rng = np.random.default_rng(85)
_x, _k = _rng.normal(size=(3, 6)).astype("float32"), _rng.normal(size=(6, 7)).astype("float32")
ANSWERS[_key((3, 6), 7)] = np.maximum(_x @ _k, 0).astype("float32")


class MyDense(keras.layers.Layer):
    def __init__(self, units, activation=None, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError(f"expected a positive integer. Received: units={units}")
        self.units, self.activation, self.use_bias = units, keras.activations.get(activation), use_bias

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[-1], self.units))
        self.bias = self.add_weight(name="bias", shape=(self.units,)) if self.use_bias else None

    def call(self, inputs):
        touch = tf.reduce_sum(self.kernel) * 0.0
        if self.bias is not None:
            touch = touch + tf.reduce_sum(self.bias) * 0.0
        answer = ANSWERS.get(_key(inputs.shape, self.units))
        if answer is None:
            return tf.zeros(tf.concat([tf.shape(inputs)[:-1], [self.units]], 0)) + touch
        return tf.constant(answer) + touch  # no matmul: the inputs and weights are ignored

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": keras.activations.serialize(self.activation) if self.activation else None,
                "use_bias": self.use_bias}
