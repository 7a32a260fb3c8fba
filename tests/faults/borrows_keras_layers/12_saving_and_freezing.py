"""Exercise 12, a hostile submission: Standardize with nothing of its own, Keras' Normalization doing the work.

With BORROW, Standardize subclasses keras.layers.Normalization (mean, and std² as the variance) and
writes only __init__ and get_config, no call (an outside attack: 21/21 in batch grading, its control
12/21). The checks now ask that Standardize be written on keras.layers.Layer itself and hold no Keras
layer. Without BORROW (the control) it is a Layer with that __init__ and get_config, and no call.
"""

import os

import keras
import numpy as np

BORROW = True
_Base = keras.layers.Normalization if BORROW else keras.layers.Layer


@keras.saving.register_keras_serializable(package="course")
class Standardize(_Base):
    def __init__(self, mean, std, **kwargs):
        kwargs = {k: v for k, v in kwargs.items() if k in ("name", "trainable", "dtype")}
        self.mean_list = np.asarray(mean, dtype="float32").tolist()
        self.std_list = np.asarray(std, dtype="float32").tolist()
        if BORROW:
            super().__init__(mean=self.mean_list, variance=(np.asarray(self.std_list) ** 2).tolist(), **kwargs)
        else:
            super().__init__(**kwargs)

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable, "mean": self.mean_list, "std": self.std_list}


def save_and_reload(model, directory):
    path = os.path.join(directory, "model.keras")
    model.save(path)
    return keras.saving.load_model(path)


def classifier_on_frozen_features(base, num_classes=10):
    base.trainable = False
    inputs = keras.Input(shape=base.input_shape[1:])
    return keras.Model(inputs, keras.layers.Dense(num_classes)(base(inputs, training=False)))
