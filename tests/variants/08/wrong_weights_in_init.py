"""expect: already has 2 weight(s) before its first call"""
import keras


class MyDense(keras.layers.Layer):
    def __init__(self, units, activation=None, use_bias=True, input_dim=3, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"expected a positive integer. Received: units={units}")
        self.units, self.use_bias, self.input_dim = units, use_bias, input_dim
        self.activation = keras.activations.get(activation)
        self.kernel = self.add_weight(name="kernel", shape=(input_dim, units))
        self.bias = self.add_weight(name="bias", shape=(units,), initializer="zeros")

    def call(self, inputs):
        out = keras.ops.matmul(inputs, self.kernel)
        return self.activation(out + self.bias if self.use_bias else out)

    def get_config(self):
        config = super().get_config()
        config.update(units=self.units, activation=keras.activations.serialize(self.activation),
                      use_bias=self.use_bias, input_dim=self.input_dim)
        return config
