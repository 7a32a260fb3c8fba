"""expect: the hidden Dense layer uses activation 'linear'; expected 'relu'
Forgets the hidden layer's ReLU: two Dense layers in a row collapse into one linear map.
"""
import keras


def build_model():
    return keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                             keras.layers.Dense(128), keras.layers.Dense(10)])
