"""The issue's example: the activation as its own ReLU layer after a linear Dense(128).
styles: separate-activation
"""
import keras
from keras.layers import Dense, Flatten, Input, ReLU


def build_model():
    return keras.Sequential([Input((28, 28)), Flatten(), Dense(128), ReLU(), Dense(10)])
