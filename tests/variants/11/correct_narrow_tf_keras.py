"""Strategy 1 in tf.keras: the source model with a 24-unit hidden layer (19,090 parameters).
styles: tf-keras
"""
import tensorflow as tf


def build_model():
    return tf.keras.Sequential([
        tf.keras.layers.Flatten(input_shape=(28, 28)),
        tf.keras.layers.Dense(24, activation="relu"),
        tf.keras.layers.Dense(10),
    ])


def compile_model(model):
    model.compile(optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])


def training_recipe():
    return dict(epochs=25, batch_size=32)
