"""The activation kept as a keras.layers.Activation sublayer (what it computes is Keras' activation, as
keras.activations.get would give), the kernel product written with tensordot on the last axis."""
import keras
from keras import ops


class MyDense(keras.layers.Layer):
    def __init__(self, units, activation=None, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        if type(units) is not int or units < 1:
            raise ValueError(f"units must be a positive integer, got units={units!r}")
        self.units = units
        self.use_bias = bool(use_bias)
        self.squash = keras.layers.Activation(activation if activation is not None else "linear")

    def build(self, input_shape):
        fan_in = int(input_shape[-1])
        self.w = self.add_weight(shape=(fan_in, self.units), initializer="glorot_uniform", name="kernel")
        if self.use_bias:
            self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, inputs):
        z = ops.tensordot(inputs, self.w, axes=[[len(inputs.shape) - 1], [0]])
        if self.use_bias:
            z = z + self.b
        return self.squash(z)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "use_bias": self.use_bias,
                "activation": keras.activations.serialize(self.squash.activation)}
