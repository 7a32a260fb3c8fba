"""Answers for the grader: sends a reply with a well-formed header claiming full marks, followed by a
real `.npz` archive whose one array is an object array — a pickle, which on loading would run
`os.system` in the grader's own process and create MARKER. The grader reads only bool, integer and
float arrays, without pickle: the reply is refused and MARKER never appears."""
import gc
import io
import json
import multiprocessing.connection
import os
import zipfile

import keras
import numpy as np

MARKER = "/nowhere/pickle-ran"  # replaced by the test


class _RunsOnLoad:
    def __reduce__(self):
        return os.system, (f"touch {MARKER}",)


def _forge() -> bytes:
    head = json.dumps({"exercise": "04", "part": "public", "results": {}, "notes": ["full marks"]}).encode()
    array = io.BytesIO()
    np.save(array, np.array([_RunsOnLoad()], dtype=object), allow_pickle=True)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as npz:
        npz.writestr("arr_0.npy", array.getvalue())
    return len(head).to_bytes(8, "big") + head + archive.getvalue()


for _pipe in [o for o in gc.get_objects() if isinstance(o, multiprocessing.connection.Connection)]:
    try:
        _pipe.send_bytes(_forge())
    except OSError:
        pass


def build_model():
    return keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                             keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10)])
