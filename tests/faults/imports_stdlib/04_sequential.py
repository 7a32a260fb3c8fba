"""An honest answer that imports parts of the standard library nothing else loads first: they must
import wherever the interpreter lives (pyenv, conda or a venv under the home folder included)."""
import graphlib
import statistics
import wave

import keras

UNITS = int(statistics.median([64, 128, 256]))
ORDER = list(graphlib.TopologicalSorter({"dense": {"flatten"}}).static_order())
assert wave.WAVE_FORMAT_PCM == 1


def build_model():
    return keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                             keras.layers.Dense(UNITS, activation="relu"), keras.layers.Dense(10)])
