"""tf.keras, an InputLayer, he_normal initialisation, and the hidden block as a nested Sequential whose ReLU is
a layer of its own.
styles: tf-keras, sub-model, separate-activation
"""
from tensorflow import keras


def build_model():
    hidden = keras.Sequential([keras.layers.Dense(128, kernel_initializer="he_normal"), keras.layers.ReLU()])
    return keras.Sequential([keras.layers.InputLayer(shape=(28, 28)), keras.layers.Flatten(), hidden,
                             keras.layers.Dense(10)])
