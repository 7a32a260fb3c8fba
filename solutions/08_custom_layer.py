"""Exercise 8 — A Dense layer of your own.

Lesson: "Subclassing Layer". Check your work with `course check 8`.

Write `MyDense`, a layer that computes `activation(inputs @ kernel + bias)` on the last axis, the way
`keras.layers.Dense` does: check the arguments in `__init__`, create the weights in `build` (lazily,
once the input size is known), compute in `call`, and return every constructor argument from
`get_config`.
"""

import keras


class MyDense(keras.layers.Layer):
    """A densely connected layer: `activation(inputs @ kernel + bias)`.

    Args:
        units: positive integer, the number of outputs per example.
        activation: name or function (e.g. "relu"); None means no activation (linear).
        use_bias: whether to add a learned bias vector.

    Input shape:  (batch, ..., input_dim)
    Output shape: (batch, ..., units)
    """

    def __init__(self, units, activation=None, use_bias=True, **kwargs):
        """Check and store the configuration; pass **kwargs (name, dtype, …) on to the base class.

        Raises ValueError unless `units` is a positive integer, naming the argument and the value
        received (e.g. "expected a positive integer. Received: units=-3").
        """
        ### BEGIN SOLUTION
        super().__init__(**kwargs)
        if isinstance(units, bool) or not isinstance(units, int) or units <= 0:
            raise ValueError(
                f"Received an invalid value for `units`, expected a positive integer. Received: units={units!r}"
            )
        self.units = units
        self.activation = keras.activations.get(activation)
        self.use_bias = use_bias
        ### END SOLUTION

    def build(self, input_shape):
        """Create "kernel" (input_shape[-1], units) and, if use_bias, "bias" (units,) with add_weight."""
        ### BEGIN SOLUTION
        input_dim = input_shape[-1]
        self.kernel = self.add_weight(name="kernel", shape=(input_dim, self.units),
                                      initializer="glorot_uniform")
        self.bias = (
            self.add_weight(name="bias", shape=(self.units,), initializer="zeros") if self.use_bias else None
        )
        ### END SOLUTION

    def call(self, inputs):
        """activation(inputs @ kernel + bias), contracting the last axis of `inputs`."""
        ### BEGIN SOLUTION
        outputs = keras.ops.matmul(inputs, self.kernel)
        if self.bias is not None:
            outputs = outputs + self.bias
        return self.activation(outputs)
        ### END SOLUTION

    def get_config(self):
        """The base config plus units, activation (as its name) and use_bias."""
        ### BEGIN SOLUTION
        config = super().get_config()
        config.update({
            "units": self.units,
            "activation": keras.activations.serialize(self.activation),
            "use_bias": self.use_bias,
        })
        return config
        ### END SOLUTION
