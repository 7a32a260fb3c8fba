"""Each branch is its own small model (a Sequential for the image, a functional one for the extras).
styles: sub-model, separate-activation
"""
import keras
from keras import layers


def build_functional_model():
    body = keras.Sequential([layers.Flatten(), layers.Dense(128), layers.ReLU()], name="body")
    images = keras.Input((28, 28))
    return keras.Model(images, layers.Dense(10)(body(images)))


def build_two_input_model():
    image_encoder = keras.Sequential([layers.Flatten(), layers.Dense(64), layers.Activation("relu")])
    extra_in = keras.Input((8,))
    extra_encoder = keras.Model(extra_in, layers.Dense(16, activation="relu")(extra_in))
    image = keras.Input((28, 28), name="image")
    extra = keras.Input((8,), name="extra")
    both = layers.concatenate([image_encoder(image), extra_encoder(extra)])
    return keras.Model(inputs=[image, extra], outputs=layers.Dense(10, name="logits")(both))
