"""expect: MyDense(-3) was accepted; expected a ValueError"""
import keras


class MyDense(keras.layers.Layer):
    def __init__(self, units, activation=None, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        self.units, self.use_bias = units, use_bias
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[-1], abs(self.units) or 1))
        self.bias = self.add_weight(name="bias", shape=(abs(self.units) or 1,), initializer="zeros") if self.use_bias else None

    def call(self, inputs):
        out = keras.ops.matmul(inputs, self.kernel)
        return self.activation(out if self.bias is None else out + self.bias)

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units, "activation": keras.activations.serialize(self.activation),
                       "use_bias": self.use_bias})
        return config
