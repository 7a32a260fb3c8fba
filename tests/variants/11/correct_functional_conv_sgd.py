"""A tiny functional CNN in tf.keras (Conv2D with stride 2, MaxPooling), SGD with momentum, a shuffled recipe.
styles: tf-keras, other-optimizer
"""
import tensorflow as tf


def build_model():
    inputs = tf.keras.Input((28, 28))
    x = tf.keras.layers.Reshape((28, 28, 1))(inputs)
    x = tf.keras.layers.Conv2D(8, 3, strides=2, activation="relu")(x)
    x = tf.keras.layers.MaxPooling2D()(x)
    x = tf.keras.layers.Flatten()(x)
    x = tf.keras.layers.Dense(32, activation="relu")(x)
    return tf.keras.Model(inputs, tf.keras.layers.Dense(10)(x))


def compile_model(model):
    model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.05, momentum=0.9),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=[tf.keras.metrics.SparseCategoricalAccuracy()])


def training_recipe():
    return {"epochs": 15, "batch_size": 64, "shuffle": True}
