"""tf.keras with tf ops, weights kept in a dict-free style, activation stored by name.
styles: tf-keras
"""
import tensorflow as tf


class MyDense(tf.keras.layers.Layer):
    def __init__(self, units, activation=None, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units < 1:
            raise ValueError(f"`units` expected a positive integer. Received: units={units}")
        self.units = units
        self.activation = tf.keras.activations.get(activation)
        self.use_bias = use_bias

    def build(self, input_shape):
        self.w = self.add_weight(shape=(int(input_shape[-1]), self.units), name="kernel",
                                 initializer="random_normal", trainable=True)
        if self.use_bias:
            self.b = self.add_weight(shape=(self.units,), name="bias", initializer="zeros")

    def call(self, inputs):
        y = tf.tensordot(inputs, self.w, axes=[[-1], [0]])
        if self.use_bias:
            y = tf.nn.bias_add(y, self.b)
        return self.activation(y)

    def get_config(self):
        base = super().get_config()
        return {**base, "units": self.units, "use_bias": self.use_bias,
                "activation": tf.keras.activations.serialize(self.activation)}
