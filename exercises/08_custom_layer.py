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
        # YOUR CODE HERE
        raise NotImplementedError

    def build(self, input_shape):
        """Create "kernel" (input_shape[-1], units) and, if use_bias, "bias" (units,) with add_weight."""
        # YOUR CODE HERE
        raise NotImplementedError

    def call(self, inputs):
        """activation(inputs @ kernel + bias), contracting the last axis of `inputs`."""
        # YOUR CODE HERE
        raise NotImplementedError

    def get_config(self):
        """The base config plus units, activation (as its name) and use_bias."""
        # YOUR CODE HERE
        raise NotImplementedError
