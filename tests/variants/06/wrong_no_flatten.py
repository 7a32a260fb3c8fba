"""expect: the model has no Flatten, so each Dense acts on the last axis of the (28, 28) input
Forgets the Flatten: each Dense acts on the last axis of the (28, 28) image.
"""
import keras
from keras import layers


def build_functional_model():
    inputs = keras.Input(shape=(28, 28))
    x = layers.Dense(128, activation="relu")(inputs)
    return keras.Model(inputs, layers.Dense(10)(x))


def build_two_input_model():
    image = keras.Input(shape=(28, 28), name="image")
    extra = keras.Input(shape=(8,), name="extra")
    a = layers.Dense(64, activation="relu")(layers.Flatten()(image))
    b = layers.Dense(16, activation="relu")(extra)
    return keras.Model([image, extra], layers.Dense(10, name="logits")(layers.Concatenate()([a, b])))
