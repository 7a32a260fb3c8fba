"""tf.keras spelling, layers imported by name, dict inputs and a dict output.
styles: tf-keras
"""
import tensorflow as tf
from tensorflow.keras.layers import Concatenate, Dense, Flatten


def build_functional_model():
    x_in = tf.keras.Input((28, 28), name="pixels")
    hidden = Dense(128, activation=tf.nn.relu, name="hidden")(Flatten(name="flat")(x_in))
    return tf.keras.Model(inputs=x_in, outputs=Dense(10, name="scores")(hidden))


def build_two_input_model():
    image = tf.keras.Input(shape=(28, 28), name="image")
    extra = tf.keras.Input(shape=(8,), name="extra")
    features = Concatenate(axis=-1)([
        Dense(64, activation="relu")(Flatten()(image)),
        Dense(16, activation="relu")(extra),
    ])
    return tf.keras.Model({"image": image, "extra": extra}, {"logits": Dense(10, name="logits")(features)})
