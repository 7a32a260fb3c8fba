"""A too-small model that claims the expected parameter count and summary."""
import keras


class Liar(keras.Sequential):
    def count_params(self):
        return 101_770

    def summary(self, *args, **kwargs):
        print("Total params: 101,770")


def build_model():
    return Liar([keras.Input(shape=(28, 28)), keras.layers.Flatten(), keras.layers.Dense(10)])
