"""tf.keras with a Reshape((784,)) for the flattening and activations as separate layers; float32 stated.
styles: tf-keras, separate-activation
"""
import tensorflow as tf


def build_model():
    L = tf.keras.layers
    return tf.keras.Sequential([
        tf.keras.Input(shape=(28, 28), dtype="float32"),
        L.Reshape((784,)),
        L.Dense(128, dtype="float32"),
        L.Activation(tf.nn.relu),
        L.Dense(10),
        L.Activation("linear"),
    ])
