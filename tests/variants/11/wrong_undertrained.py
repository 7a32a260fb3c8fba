"""expect: is below the threshold"""
import keras


def build_model():
    return keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                             keras.layers.Dense(24, activation="relu"), keras.layers.Dense(10)])


def compile_model(model):
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])


def training_recipe():
    return {"epochs": 1, "batch_size": 256}
