"""Starts 24 busy processes as soon as it is imported (within the 32 processes a submission may have), then
answers correctly: it may keep the CPU busy while it is graded, but only its own slot's share of it."""
import os
import time

import keras

for _ in range(24):
    if os.fork() == 0:
        stop = time.monotonic() + 600
        while time.monotonic() < stop:
            pass
        os._exit(0)


def build_model():
    return keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                             keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10)])
