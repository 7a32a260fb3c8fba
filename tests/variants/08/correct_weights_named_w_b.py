"""keras.ops.tensordot, weights named w and b, a constant zero bias (not a weight) when use_bias=False;
get_config writes the activation with keras.saving.serialize_keras_object (a dict, which
keras.activations.get reads back).
Written by an independent student (a helper that read only the lessons and the stub).
styles: numpy-alternative
"""
import keras
from keras import ops


class MyDense(keras.layers.Layer):
    """Without a bias weight, adds a constant zero bias (not a weight) so call has one path."""

    def __init__(self, units, activation=None, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        if isinstance(units, bool) or not isinstance(units, int):
            raise ValueError(f"units should be an int. Received: units={units!r}")
        if units <= 0:
            raise ValueError(f"units should be positive. Received: units={units}")
        self.units = units
        self._act = keras.activations.get(activation)
        self.use_bias = use_bias

    @property
    def activation(self):
        return self._act

    def build(self, input_shape):
        d = input_shape[-1]
        self.w = self.add_weight(shape=(d, self.units), initializer="lecun_uniform", name="kernel")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="bias") if self.use_bias else None

    def call(self, inputs):
        z = ops.tensordot(inputs, self.w, axes=1)
        b = self.b if self.b is not None else ops.zeros((self.units,), dtype=z.dtype)
        z = ops.add(z, b)
        return self._act(z)

    def get_config(self):
        config = dict(super().get_config())
        config["units"] = self.units
        config["activation"] = keras.saving.serialize_keras_object(self._act)  # the dict Keras writes a function as
        config["use_bias"] = self.use_bias
        return config
