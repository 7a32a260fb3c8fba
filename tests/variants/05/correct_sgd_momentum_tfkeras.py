"""tf.keras spelling: SGD with momentum (a larger rate, small batches), validation_split in the recipe.
styles: tf-keras, other-optimizer
"""
import tensorflow as tf


def compile_model(model):
    model.compile(
        optimizer=tf.keras.optimizers.SGD(learning_rate=0.05, momentum=0.9),
        loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[tf.keras.metrics.SparseCategoricalAccuracy()],
    )
    return model


def training_recipe():
    recipe = {}
    recipe["epochs"] = 15
    recipe["batch_size"] = 16
    recipe["validation_split"] = 0.1
    return recipe
