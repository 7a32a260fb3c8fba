"""expect: should be float
learning_rate=100 written as an int: Keras 3 rejects a non-float rate outright (and 100 is far too high).
"""
import keras


def compile_model(model):
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=100),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])


def training_recipe():
    return {"epochs": 5, "batch_size": 32}
