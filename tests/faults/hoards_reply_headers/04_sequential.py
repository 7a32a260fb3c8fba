"""A correct exercise 4 whose process pads every reply's header (its JSON, not its arrays: inside each
probe's answer, which the grader keeps) with 2.5 million numbers, 12.5 MB (after an outside attack on its
own process). Each header is within the 16 MB one may
hold, but only the arrays of a student's replies were bounded: parsed, each such header took about 80 MB of
the grader's memory, kept until the student was verified, with nothing bounding how many. The grader now
keeps at most 16 MB of one student's headers (the reference answers
to the whole course hold 0.1 MB); with this fault's exercise 1 file, padded alike, the bound is passed
before or during exercise 4, and every reply past it fails its exercise, saying so."""
import keras


def build_model():
    return keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                             keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10)])


def _install():
    try:
        import grader.grade.values as values
    except ImportError:
        return
    if getattr(values.pack, "padded", False):
        return
    original = values.pack
    padding = [0.5] * 2_500_000

    def padded(header, arrays):  # inside a probe's answer, which the grader keeps until verification
        if isinstance(header.get("entry"), dict):
            return original({**header, "entry": {**header["entry"], "padding": padding}}, arrays)
        return original({**header, "padding": padding}, arrays)

    padded.padded = True
    values.pack = padded


_install()
