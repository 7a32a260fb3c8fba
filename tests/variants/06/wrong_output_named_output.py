"""expect: no output named 'logits'
Names the output layer "output" instead of "logits": the name is the model's interface.
"""
import keras
from keras import layers


def build_functional_model():
    image = keras.Input((28, 28))
    x = layers.Flatten()(image)
    x = layers.Dense(128, activation="relu")(x)
    return keras.Model(image, layers.Dense(10)(x))

def build_two_input_model():
    image = keras.Input(shape=(28, 28), name="image")
    extra = keras.Input(shape=(8,), name="extra")
    a = layers.Dense(64, activation="relu")(layers.Flatten()(image))
    b = layers.Dense(16, activation="relu")(extra)
    out = layers.Dense(10, name="output")(layers.Concatenate()([a, b]))
    return keras.Model([image, extra], out)
