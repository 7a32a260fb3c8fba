"""Registered for saving, einsum on the last axis, explicit build(); activation name kept as a string.
styles: numpy-alternative
"""
import keras
from keras import ops


@keras.saving.register_keras_serializable(package="course")
class MyDense(keras.layers.Layer):
    def __init__(self, units, activation=None, use_bias=True, **kwargs):
        if type(units) is not int or units <= 0:
            raise ValueError(f"Received an invalid value for `units`, expected a positive integer. "
                             f"Received: units={units}")
        super().__init__(**kwargs)
        self.units = units
        self.use_bias = use_bias
        self._activation_fn = keras.activations.get(activation)

    def build(self, input_shape):
        *_, features = input_shape
        self.kernel = self.add_weight(name="kernel", shape=(features, self.units))
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros") if self.use_bias else None
        self.built = True

    def call(self, inputs):
        out = ops.einsum("...i,ij->...j", inputs, self.kernel)
        return self._activation_fn(out if self.bias is None else out + self.bias)

    def get_config(self):
        config = super().get_config()
        config["units"] = self.units
        config["activation"] = keras.activations.serialize(self._activation_fn)
        config["use_bias"] = self.use_bias
        return config
