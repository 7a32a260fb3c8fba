"""Forks a process that outlives the grading, then answers correctly."""
import os
import time

import keras

if os.fork() == 0:
    while True:
        time.sleep(1)


def build_model():
    return keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                             keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10)])
