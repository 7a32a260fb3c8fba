"""Exercise 8, a hostile submission: a keras.layers.Dense kept where Keras does not look, doing the work.

With HIDE, MyDense subclasses keras.layers.Layer as asked, but keeps a Dense inside a plain Python object
(Keras tracks layers only in attributes, lists, dicts and tuples), lists that Dense's kernel and bias as
its own weights, and computes with the Dense (an outside attack: 15/15 in batch grading, its control
0/15). The grader now notes every function of Keras' concrete layers that runs inside a MyDense method,
wherever the layer hides. Without HIDE (the control) call() is the stub's.
"""

import keras

HIDE = True


class _Box:
    def __init__(self, layer):
        self.layer = layer


class MyDense(keras.layers.Layer):
    def __init__(self, units, activation=None, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        if units <= 0:
            raise ValueError(f"units must be positive, got {units}")
        self.units, self.use_bias = units, use_bias
        self.activation = keras.activations.get(activation)
        self.box = _Box(keras.layers.Dense(units, activation=activation, use_bias=use_bias))

    def build(self, input_shape):
        self.box.layer.build(input_shape)
        self.kernel = self.box.layer.kernel
        self.bias = self.box.layer.bias if self.use_bias else None

    def call(self, inputs):
        if HIDE:
            return self.box.layer(inputs)
        raise NotImplementedError

    def get_config(self):
        return {**super().get_config(), "units": self.units, "use_bias": self.use_bias,
                "activation": keras.activations.serialize(self.activation)}
