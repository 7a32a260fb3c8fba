"""Raw TensorFlow (tf.tensordot, tf.nn.bias_add), he_normal weights, an exact int check on units, a dict-merge config.
Written by an independent student (a helper that read only the lessons and the stub).
styles: numpy-alternative
"""
import keras
import tensorflow as tf


class MyDense(keras.layers.Layer):
    """Dense written with raw TensorFlow ops (the backend is TensorFlow)."""

    def __init__(self, units, activation=None, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        if type(units) is not int or units < 1:
            raise ValueError(f"units must be a positive integer. Received: units={units!r}")
        self.units = units
        self.activation = keras.activations.get(activation)
        self.use_bias = bool(use_bias)

    def build(self, input_shape):
        in_dim = int(input_shape[-1])
        self.kernel = self.add_weight(shape=(in_dim, self.units), initializer="he_normal", name="kernel")
        self.bias = (self.add_weight(shape=(self.units,), initializer="zeros", name="bias")
                     if self.use_bias else None)

    def call(self, inputs):
        inputs = tf.convert_to_tensor(inputs, dtype=self.compute_dtype)
        out = tf.tensordot(inputs, tf.convert_to_tensor(self.kernel), axes=[[-1], [0]])
        if self.use_bias:
            out = tf.nn.bias_add(out, tf.convert_to_tensor(self.bias))
        return self.activation(out)

    def get_config(self):
        base = super().get_config()
        return {**base, "units": self.units,
                "activation": keras.activations.serialize(self.activation),
                "use_bias": self.use_bias}
