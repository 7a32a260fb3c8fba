"""The subclass assigns its output layer first (weights listed in another order); no Input anywhere."""
import keras
from keras import layers


def build_sequential():
    return keras.Sequential([layers.Flatten(), layers.Dense(64, activation="relu"),
                             layers.Dense(32, activation="relu"), layers.Dense(10)])


def build_functional():
    image = keras.Input(shape=(28, 28), name="image")
    hidden = layers.Dense(32, activation="relu")(layers.Dense(64, activation="relu")(layers.Flatten()(image)))
    return keras.Model(inputs=image, outputs=layers.Dense(10, name="logits")(hidden))


class SubclassedMLP(keras.Model):
    def __init__(self, num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.head = layers.Dense(num_classes)
        self.first = layers.Dense(64, activation="relu")
        self.second = layers.Dense(32, activation="relu")

    def call(self, inputs):
        x = keras.ops.reshape(inputs, (-1, 28 * 28))
        return self.head(self.second(self.first(x)))
