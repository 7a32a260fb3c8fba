"""The `@` operator on Keras tensors; the activation kept by name and looked up in call().
styles: tf-keras
"""
import tensorflow as tf


class MyDense(tf.keras.layers.Layer):
    def __init__(self, units, activation=None, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        if type(units) is not int or units < 1:
            raise ValueError(f"Invalid `units`: expected a positive integer. Received: units={units}")
        self.units = units
        self.activation_name = tf.keras.activations.serialize(tf.keras.activations.get(activation))
        self.use_bias = use_bias

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[-1], self.units))
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        outputs = inputs @ self.kernel
        if self.use_bias:
            outputs += self.bias
        return tf.keras.activations.get(self.activation_name)(outputs)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "activation": self.activation_name,
                "use_bias": self.use_bias}
