"""expect: changing the 'extra' input does not change the output"""
import keras
from keras import layers


def build_functional_model():
    inputs = keras.Input(shape=(28, 28))
    return keras.Model(inputs, layers.Dense(10)(layers.Dense(128, activation="relu")(layers.Flatten()(inputs))))


def build_two_input_model():
    image = keras.Input(shape=(28, 28), name="image")
    extra = keras.Input(shape=(8,), name="extra")
    a = layers.Dense(64, activation="relu")(layers.Flatten()(image))
    b = layers.Dense(16, activation="relu")(extra)  # noqa: F841
    merged = layers.Concatenate()([a, layers.Dense(16, activation="relu")(a)])  # b is never used
    return keras.Model([image, extra], layers.Dense(10, name="logits")(merged))
