"""tf.keras; Sequential built with add(); functional from a loop; subclass with a layer list.
styles: tf-keras, add-method
"""
import tensorflow as tf

SIZES = [(64, "relu"), (32, "relu"), (10, None)]


def build_sequential():
    model = tf.keras.Sequential()
    model.add(tf.keras.layers.Flatten(input_shape=(28, 28)))
    for units, activation in SIZES:
        model.add(tf.keras.layers.Dense(units, activation=activation))
    return model


def build_functional():
    inputs = tf.keras.Input((28, 28))
    x = tf.keras.layers.Flatten()(inputs)
    for units, activation in SIZES:
        x = tf.keras.layers.Dense(units, activation=activation)(x)
    return tf.keras.Model(inputs, x)


class SubclassedMLP(tf.keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.flatten = tf.keras.layers.Flatten()
        self.dense_layers = [tf.keras.layers.Dense(u, activation=a) for u, a in SIZES]

    def call(self, inputs, training=None):
        x = self.flatten(inputs)
        for layer in self.dense_layers:
            x = layer(x)
        return x
