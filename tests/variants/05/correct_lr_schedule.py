"""Adam driven by an ExponentialDecay learning-rate schedule instead of a fixed rate."""
import keras


def compile_model(model):
    schedule = keras.optimizers.schedules.ExponentialDecay(2e-3, decay_steps=100, decay_rate=0.9)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=schedule),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])


def training_recipe():
    return {"epochs": 15, "batch_size": 32}
