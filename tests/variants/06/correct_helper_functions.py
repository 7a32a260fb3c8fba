"""Branches built by helper functions; keras.layers imported as `L`; Activation layers.
styles: separate-activation
"""
import keras
from keras import layers as L


def _image_branch(image, units):
    x = L.Flatten()(image)
    x = L.Dense(units)(x)
    return L.Activation("relu")(x)


def build_functional_model():
    image = keras.Input(shape=(28, 28), name="image")
    return keras.Model(image, L.Dense(10)(_image_branch(image, 128)))


def build_two_input_model():
    image = keras.Input(shape=(28, 28), name="image")
    extra = keras.Input(shape=(8,), name="extra")
    extra_features = L.ReLU()(L.Dense(16)(extra))
    merged = L.Concatenate()([_image_branch(image, 64), extra_features])
    return keras.Model([image, extra], L.Dense(10, name="logits")(merged))
