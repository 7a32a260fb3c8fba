"""optimizer="adam" as a string, a loss object with from_logits=True, "accuracy" as a string."""
import keras


def compile_model(model):
    model.compile(optimizer="adam",
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])


def training_recipe():
    return {"epochs": 15, "batch_size": 32}
