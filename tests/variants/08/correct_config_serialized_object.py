"""get_config writes the activation with keras.saving.serialize_keras_object (the dict Keras writes a
function as), which keras.activations.get reads back; `@` and a bias added only when there is one.
"""
import keras


class MyDense(keras.layers.Layer):
    def __init__(self, units, activation=None, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        if isinstance(units, bool) or not isinstance(units, int) or units < 1:
            raise ValueError(f"MyDense expected a positive integer. Received: units={units}")
        self.units = units
        self.activation = keras.activations.get(activation)
        self.use_bias = use_bias

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="glorot_uniform",
                                      name="kernel")
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, inputs):
        outputs = inputs @ self.kernel
        if self.use_bias:
            outputs = outputs + self.bias
        return self.activation(outputs)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "use_bias": self.use_bias,
                "activation": keras.saving.serialize_keras_object(self.activation)}
