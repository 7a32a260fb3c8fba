"""Hands the whole computation to a keras.layers.Dense, hidden inside a keras.layers.Activation (which
calls any callable it is given): an Activation layer is allowed, the Dense inside it is not.

expect: holds a keras.layers.Dense
"""
import keras


class MyDense(keras.layers.Layer):
    def __init__(self, units, activation=None, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"units must be positive, got {units}")
        self.units, self.activation, self.use_bias = units, activation, use_bias
        self.inner = keras.layers.Activation(keras.layers.Dense(units, activation=activation, use_bias=use_bias))

    def call(self, inputs):
        return self.inner(inputs)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "activation": self.activation, "use_bias": self.use_bias}
