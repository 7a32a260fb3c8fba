"""A correct exercise 4 whose process pads every reply with 60 MB of arrays that nothing refers to (after an
outside attack on its own process). Each reply is within the 64 MB a reply may hold, but the grader's own
process kept every one of them until the student was verified, with nothing bounding how many: one
student's replies could have taken the grader, and the class, out of memory. The grader now keeps at most
256 MB of one student's replies (with this fault's exercise 1 file, padded alike, the bound is passed
before or during exercise 4); every reply with arrays past that fails its exercise, saying so."""
import keras


def build_model():
    return keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                             keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10)])


def _install():
    try:
        import numpy as np

        import grader.grade.values as values
    except ImportError:
        return
    if getattr(values.pack, "padded", False):
        return
    original = values.pack

    def padded(header, arrays):
        return original(header, [*arrays, np.zeros(60 * 1024 * 1024, dtype=np.uint8)])

    padded.padded = True
    values.pack = padded


_install()
