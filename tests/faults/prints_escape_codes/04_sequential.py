"""Exercise 4 — The source text's model.

Lesson: "The Sequential model". Check your work with `course check 4`.

Build Flatten of (28, 28) images → Dense(128, relu) → Dense(10) as a keras.Sequential model. The last
layer has no activation: the model outputs logits.
"""

import keras


def build_model() -> keras.Model:
    """The source text's model: 0 + 100,480 + 1,290 = 101,770 parameters, logits out."""
    ### BEGIN SOLUTION
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10),
        ]
    )
    ### END SOLUTION
