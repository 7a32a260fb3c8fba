"""Exercise 8, a hostile submission: MyDense with nothing of its own, Keras' EinsumDense doing the work.

With BORROW, MyDense subclasses keras.layers.EinsumDense, whose equation "...a,ab->...b" is a Dense; only
__init__ (to map `units` onto it) and get_config are written (an outside attack: 15/15 in batch grading,
its control 2/15; wrapping a keras.layers.Dense it holds gave 15/15 too). The checks now ask that MyDense
be written on keras.layers.Layer itself and hold no Keras layer. Without BORROW (the control) it is a
Layer with that __init__ and nothing else.
"""

import keras

BORROW = True
_Base = keras.layers.EinsumDense if BORROW else keras.layers.Layer


class MyDense(_Base):
    def __init__(self, units, activation=None, use_bias=True, **kwargs):
        if units <= 0:
            raise ValueError(f"units must be positive, got {units}")
        self.units, self.use_bias = units, use_bias
        if BORROW:
            super().__init__("...a,ab->...b" if not use_bias else "...a,ab->...b", output_shape=(units,),
                             activation=activation, bias_axes="b" if use_bias else None, **kwargs)
        else:
            super().__init__(**kwargs)

    def get_config(self):
        config = super().get_config()
        config.update(units=self.units, use_bias=self.use_bias)
        return config
