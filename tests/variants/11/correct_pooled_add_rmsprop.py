"""Sequential built with add(): max-pool the image, Dense(48) with a separate ReLU layer; RMSprop.
styles: add-method, separate-activation, other-optimizer
"""
import keras
from keras import layers


def build_model():
    model = keras.Sequential(name="pooled")
    model.add(keras.Input(shape=(28, 28)))
    model.add(layers.Reshape((28, 28, 1)))
    model.add(layers.MaxPooling2D(pool_size=2))
    model.add(layers.Flatten())
    model.add(layers.Dense(48))
    model.add(layers.ReLU())
    model.add(layers.Dense(10))
    return model  # 196·48 + 48 + 48·10 + 10 = 9,946 parameters


def compile_model(model):
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=2e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])


def training_recipe():
    return {"epochs": 20, "batch_size": 64}
