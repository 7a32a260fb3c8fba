"""Keep TensorFlow's log noise away from learners.

`silence_tensorflow()` must run before TensorFlow is imported; it is called by `grader/__init__.py`
so that importing anything from the grader is enough. Warnings that matter to a learner are not
dropped: `rephrase_warnings` turns them into notes in the learner's terms.
"""

from __future__ import annotations

import contextlib
import logging
import os
import warnings
from collections.abc import Iterator

_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "3",  # C++ INFO/WARNING/ERROR lines (oneDNN, CPU features, cuda probing)
    "TF_ENABLE_ONEDNN_OPTS": "0",  # oneDNN notice, and bit-for-bit repeatable numerics
    # One thread inside each op: the course's small matrix products split over several threads give
    # weights that differ in the last bits with the machine's core count (so a grade could differ between
    # a 2-core and an 8-core machine), and cost a third more CPU time for no wall-clock gain at this size.
    "TF_NUM_INTRAOP_THREADS": "1",
    "KERAS_BACKEND": "tensorflow",
    "CUDA_VISIBLE_DEVICES": "-1",  # no GPU probing on CPU-only machines
    "GRPC_VERBOSITY": "ERROR",
    "ABSL_MIN_LOG_LEVEL": "3",
}

# Warnings a learner should understand, keyed by a fragment of the original message.
_REPHRASED = {
    "Do not pass an `input_shape`": (
        "Keras 3 warns about `input_shape=` on a layer (a UserWarning, not a deprecation): it still "
        "works, but Keras prefers starting the model with `keras.Input(shape=...)`."
    ),
    "`build()` was called on layer": (
        "`build()` ran on a layer or model without a `build()` of its own, so Keras marked it built without "
        "creating any weights: a custom layer creates its weights in `build(input_shape)`; a subclassed "
        "model needs no `model.build(...)` (Keras 3 builds its layers on the model's first call)."
    ),
}


def silence_tensorflow() -> None:
    """Set the environment so TensorFlow and Keras import without log noise (idempotent)."""
    for key, value in _ENV.items():
        os.environ.setdefault(key, value)
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    logging.getLogger("absl").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"(tensorflow|keras|jax|google)")
    warnings.filterwarnings("ignore", category=FutureWarning, module=r"(tensorflow|keras)")


def quiet_keras() -> None:
    """Silence what only becomes reachable after import: Keras progress output and absl logging."""
    with contextlib.suppress(Exception):
        import absl.logging

        absl.logging.set_verbosity(absl.logging.ERROR)
    import keras

    keras.utils.disable_interactive_logging()


@contextlib.contextmanager
def rephrase_warnings(notes: list[str]) -> Iterator[None]:
    """Collect warnings raised inside the block; append learner-facing notes for the known ones."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for warning in caught:
        text = str(warning.message)
        for fragment, note in _REPHRASED.items():
            if fragment in text and note not in notes:
                notes.append(note)
