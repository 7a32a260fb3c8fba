"""Sequential built with .add(): Reshape((784,)) does the flattening, ReLU is an Activation layer of its own,
the last Dense says activation="linear" out loud.
styles: add-method, separate-activation
"""
import keras


def build_model():
    model = keras.Sequential(name="digits")
    model.add(keras.Input(shape=(28, 28), dtype="float32"))
    model.add(keras.layers.Reshape((784,)))
    model.add(keras.layers.Dense(128))
    model.add(keras.layers.Activation(keras.activations.relu))
    model.add(keras.layers.Dense(10, activation="linear"))
    return model
