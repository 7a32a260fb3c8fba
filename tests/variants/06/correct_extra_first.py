"""Inputs listed extra-first and the branches concatenated extra-first: order is free, names are not."""
import keras


def build_functional_model():
    layers = [keras.layers.Flatten(), keras.layers.Dense(128, "relu"), keras.layers.Dense(10)]
    x = inputs = keras.Input(shape=(28, 28))
    for layer in layers:
        x = layer(x)
    return keras.Model(inputs, x)


def build_two_input_model():
    extra = keras.Input(shape=(8,), name="extra")
    image = keras.Input(shape=(28, 28), name="image")
    e = keras.layers.Dense(16, activation="relu", name="extra_features")(extra)
    i = keras.layers.Dense(64, activation="relu", name="image_features")(keras.layers.Flatten()(image))
    merged = keras.layers.concatenate([e, i])
    return keras.Model(inputs=[extra, image], outputs=keras.layers.Dense(10, name="logits")(merged))
