"""Activations given as objects: a ReLU layer instance as Dense's activation, and tf.nn-free linear output."""
import keras
from keras import layers


def build_model():
    return keras.Sequential([
        keras.Input(shape=(28, 28)),
        layers.Flatten(),
        layers.Dense(128, activation=layers.ReLU()),
        layers.Dense(10, activation=lambda z: z),
    ])
