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
    """Keras' own Dense inside: what this file is about is the flood below."""

    def __init__(self, units, activation=None, use_bias=True, **kwargs):
        if type(units) is not int or units < 1:
            raise ValueError(f"units must be a positive integer. Received: units={units!r}")
        super().__init__(**kwargs)
        self.settings = {"units": units, "activation": keras.activations.serialize(keras.activations.get(activation)),
                         "use_bias": use_bias}
        self.inner = keras.layers.Dense(**self.settings)

    def build(self, input_shape):
        self.inner.build(input_shape)

    def call(self, inputs):
        return self.inner(inputs)

    def get_config(self):
        return {**super().get_config(), **self.settings}


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
