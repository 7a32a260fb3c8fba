"""Flattens the leading axes, multiplies, and restores them; the activation name via __name__."""
import keras
from keras import ops


class MyDense(keras.layers.Layer):
    """activation(inputs @ kernel + bias)."""

    def __init__(self, units, activation=None, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        if not (isinstance(units, int) and units > 0):
            raise ValueError(f"expected a positive integer. Received: units={units!r}")
        self.units, self.use_bias = units, use_bias
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[-1], self.units),
                                      initializer="glorot_uniform")
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        leading = ops.shape(inputs)[:-1]
        flat = ops.reshape(inputs, (-1, ops.shape(inputs)[-1]))
        out = ops.matmul(flat, self.kernel)
        if self.use_bias:
            out = out + self.bias
        return self.activation(ops.reshape(out, (*leading, self.units)))

    def get_config(self):
        return super().get_config() | {
            "units": self.units, "activation": self.activation.__name__, "use_bias": self.use_bias,
        }
