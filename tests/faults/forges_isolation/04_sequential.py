"""A correct exercise 4 whose process rewrites the isolation report of its replies (after an outside
attack on its own process; the report of a file's first reply is forged by the file loaded before it in
the same process, this fault's exercise 1): flags the grader never sets, a uid that is not a number, 1,000
"problems" of 1,000 characters each (1 MB, within what one reply's header may hold). The report is the
process's word, and the gradebook kept it whole; now it keeps the known flags, a number or nothing for the
uid, and at most 20 problems of 300 characters."""
import keras


def build_model():
    return keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                             keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10)])


def _install():
    try:
        import grader.grade.values as values
    except ImportError:
        return
    if getattr(values.pack, "forged", False):
        return
    original = values.pack

    def forged(header, arrays):
        if "isolation" in header:
            header = {**header, "isolation": {"namespaces": True, "root_of_the_grader": True, "uid": "0",
                                              "problems": ["x" * 1_000] * 1_000}}
        return original(header, arrays)

    forged.forged = True
    values.pack = forged


_install()
