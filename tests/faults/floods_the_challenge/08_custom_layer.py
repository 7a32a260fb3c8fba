"""Exercise 8: a correct MyDense whose process then floods the grader's own process (after an outside
attack). It rewrites the grader's commitment code in its own process so that every call of every
scenario names committed call 0, listed as the same (variable, value) pair 300,000 times. The grader's
process read every pair of it for every call, unbounded: 200,000 pairs took it 9.6 s instead of 2.1 s,
a million 61 s and 2.8 GB, and the largest header a reply may hold would have stopped the whole class
(out of memory, and again on every resumed run). A call given more values than any class of the course
has variables is now refused unread: this student's behaviour checks fail, saying the grader could not
run the committed graph, and nobody else notices.
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

        Raises ValueError naming what was received unless `units` is a positive integer.
        """
        super().__init__(**kwargs)
        if isinstance(units, bool) or not isinstance(units, int) or units <= 0:
            raise ValueError(
                f"Received an invalid value for `units`, expected a positive integer. Received: units={units!r}"
            )
        self.units = units
        self.activation = keras.activations.get(activation)
        self.use_bias = use_bias

    def build(self, input_shape):
        """Create "kernel" (input_shape[-1], units) and, if use_bias, "bias" (units,) with add_weight."""
        input_dim = input_shape[-1]
        self.kernel = self.add_weight(name="kernel", shape=(input_dim, self.units),
                                      initializer="glorot_uniform")
        self.bias = (
            self.add_weight(name="bias", shape=(self.units,), initializer="zeros") if self.use_bias else None
        )

    def call(self, inputs):
        """activation(inputs @ kernel + bias), contracting the last axis of `inputs`."""
        outputs = keras.ops.matmul(inputs, self.kernel)
        if self.bias is not None:
            outputs = outputs + self.bias
        return self.activation(outputs)

    def get_config(self):
        """The base config plus units, activation (as its name) and use_bias."""
        config = super().get_config()
        config.update({
            "units": self.units,
            "activation": keras.activations.serialize(self.activation),
            "use_bias": self.use_bias,
        })
        return config


try:  # batch grading only: the grader's commitment code is in this process
    import numpy as _np

    import grader.grade.challenge as _challenge

    def _call(self, obj, x, kwargs, run):
        run()
        self.calls.append(None)
        return {"committed": 0}

    def _ran(self, obj, input_shape, kwargs, run):
        return {"committed": 0, "fact": run()}

    def _save(self, directory):
        header = {"calls": [[[0, 0]] * 300_000], "artefact": 1, "untraced": {}}
        return header, [_np.zeros((6, 3), dtype="float32"), _np.zeros(16, dtype=_np.uint8)]

    _challenge.Commitments.call, _challenge.Commitments.ran, _challenge.Commitments.save = _call, _ran, _save
except ImportError:  # course check
    pass
