"""expect: below the threshold
Adam with a learning rate of 100.0: training diverges and accuracy collapses to chance.
"""
import keras


def compile_model(model):
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=100.0),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])


def training_recipe():
    return {"epochs": 5, "batch_size": 32}
