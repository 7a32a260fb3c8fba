"""keras.ops.einsum over the last axis, initializer objects, the units check with numbers.Integral.
styles: numpy-alternative
"""
import numbers

import keras
from keras import ops


class MyDense(keras.layers.Layer):
    def __init__(self, units, activation=None, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        if isinstance(units, bool) or not isinstance(units, numbers.Integral) or units <= 0:
            raise ValueError(f"MyDense needs a positive integer number of units. Received: units={units!r}")
        self.units = int(units)
        self.activation = keras.activations.get(activation)
        self.use_bias = bool(use_bias)

    def build(self, input_shape):
        n_in = input_shape[-1]
        self.kernel = self.add_weight(name="kernel", shape=(n_in, self.units),
                                      initializer=keras.initializers.GlorotUniform())
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.units,), initializer=keras.initializers.Zeros())

    def call(self, inputs):
        z = ops.einsum("...i,ij->...j", inputs, self.kernel)
        return self.activation(z if self.bias is None else z + self.bias)

    def get_config(self):
        config = super().get_config()
        config["units"] = self.units
        config["activation"] = keras.activations.serialize(self.activation)
        config["use_bias"] = self.use_bias
        return config
