"""expect: (no input named 'image')"""
import keras
from keras import layers


def build_functional_model():
    inputs = keras.Input(shape=(28, 28))
    return keras.Model(inputs, layers.Dense(10)(layers.Dense(128, activation="relu")(layers.Flatten()(inputs))))


def build_two_input_model():
    image = keras.Input(shape=(28, 28))
    extra = keras.Input(shape=(8,))
    merged = layers.Concatenate()([layers.Dense(64, activation="relu")(layers.Flatten()(image)),
                                   layers.Dense(16, activation="relu")(extra)])
    return keras.Model([image, extra], layers.Dense(10, name="logits")(merged))
