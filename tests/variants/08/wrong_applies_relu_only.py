"""expect: with activation='tanh' differs from the reference
Keeps the activation's name and applies it only when it is "relu": any other activation is ignored.
"""
import keras
from keras import ops


class MyDense(keras.layers.Layer):
    def __init__(self, units, activation=None, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"expected a positive integer. Received: units={units}")
        self.units, self.activation, self.use_bias = units, activation, use_bias

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias") if self.use_bias else None

    def call(self, inputs):
        out = ops.matmul(inputs, self.kernel)
        if self.bias is not None:
            out = out + self.bias
        if self.activation == "relu":
            out = ops.relu(out)
        return out

    def get_config(self):
        config = super().get_config()
        config.update(units=self.units, activation=self.activation, use_bias=self.use_bias)
        return config
