"""A functional model around a nested Sequential feature extractor; the ReLU as an Activation layer.
styles: sub-model, separate-activation
"""
import keras
from keras import layers


def build_model():
    features = keras.Sequential([layers.Flatten(), layers.Dense(128)], name="features")
    images = keras.Input(shape=(28, 28), name="images")
    hidden = layers.Activation("relu")(features(images))
    return keras.Model(images, layers.Dense(10, name="logits")(hidden), name="source_model")
