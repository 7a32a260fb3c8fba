"""Exercise 9 — A Model of your own.

Lesson: "Subclassing Model". Check your work with `course check 9`.

Write `MLPClassifier`, a subclass of `keras.Model`: create the layers once in `__init__`, wire them in
`call`, and decide in your own code what the `training` flag does to `Dropout`. By default the model
is random while it trains and deterministic when it predicts; with `mc_dropout=True` it keeps dropout
on at inference too (Monte Carlo dropout: predict several times and read the spread of the answers as
the model's uncertainty). A built-in layer cannot make that choice for you; your `call` can.
"""

import keras
from keras import layers


class MLPClassifier(keras.Model):
    """Flatten → Dense(hidden_units, relu) → Dropout(dropout_rate) → Dense(num_classes) logits.

    Dropout is active when `training` is true, and also at inference when `mc_dropout` is true.
    With the defaults, on (28, 28) input: 784·128 + 128 = 100,480 and 128·10 + 10 = 1,290, so
    101,770 parameters once built (Dropout has none).
    """

    def __init__(self, hidden_units=128, dropout_rate=0.5, num_classes=10, mc_dropout=False, **kwargs):
        """Store the arguments and create the four layers (Flatten, Dense, Dropout, Dense)."""
        # YOUR CODE HERE
        raise NotImplementedError

    def call(self, inputs, training=None):
        """The forward pass; Dropout drops units when `training` is true, or always if `mc_dropout`."""
        # YOUR CODE HERE
        raise NotImplementedError
