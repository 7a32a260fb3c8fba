"""np.prod (returns a numpy integer) and the tf.keras spelling with Flatten(input_shape=...).
styles: tf-keras
"""
import numpy as np
import tensorflow as tf


def flat_length(input_shape):
    return np.prod(input_shape)


def build_flatten_model(input_shape):
    model = tf.keras.models.Sequential()
    model.add(tf.keras.layers.Flatten(input_shape=input_shape))
    return model
