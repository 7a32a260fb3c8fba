"""No matmul: a broadcast multiply then keras.ops.sum over the input axis; numpy integer units accepted.
Written by an independent student (a helper that read only the lessons and the stub).
"""
import keras
import numpy as np
from keras import ops


class MyDense(keras.layers.Layer):
    """Accepts numpy integer units too; uses sum of broadcasted products (no matmul)."""

    def __init__(self, units, activation=None, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        if isinstance(units, (bool, np.bool_)) or not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(f"Invalid units: expected a positive integer. Received: units={units}")
        self.units = int(units)
        self.activation = keras.activations.get(activation)
        self.use_bias = use_bias

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[-1], self.units),
                                      initializer="uniform")
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        # inputs[..., i, None] * kernel[i, o], summed over i
        prod = ops.expand_dims(inputs, -1) * self.kernel
        out = ops.sum(prod, axis=-2)
        if self.use_bias:
            out = out + self.bias
        return self.activation(out)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"units": self.units, "use_bias": self.use_bias,
                    "activation": keras.activations.serialize(self.activation)})
        return cfg
