"""Imported once by the forkserver: every graded process starts with TensorFlow and the grader loaded."""

# A sandboxed uid cannot read the interpreter's own folder: a standard module it needs must be imported
# here, before it runs. zipfile's file-name codec is one: .keras files are zip archives (exercise 12).
import encodings.cp437  # noqa: F401

import keras  # noqa: F401,E402
import tensorflow  # noqa: F401,E402

import grader  # noqa: F401 - silences TensorFlow first
import grader.checks  # noqa: E402

for _module in grader.checks.MODULES:  # the package imports them on first use: here, before any confinement
    __import__(_module)
import grader.checks.training  # noqa: F401,E402
import grader.grade.functions  # noqa: F401,E402 - a submission's process commits its own functions
import grader.grade.replay  # noqa: F401,E402
import grader.grade.steps  # noqa: F401,E402
import grader.grade.values  # noqa: F401,E402
import grader.runner  # noqa: F401,E402
from grader.quiet import quiet_keras  # noqa: E402

quiet_keras()

# multiprocessing re-runs the parent's main module in each child (as __mp_main__): when that is the
# `course` command, its imports must already be here.
# pytest and the public check modules too: each verification then starts warm. The hidden checks are
# NOT loaded here: every submission's process is forked from this one, and their source, constants and
# inputs must never be in a submission's memory. Trusted processes import them when they run them.
import pytest  # noqa: F401,E402

import grader.cli  # noqa: F401,E402
from grader.manifest import load_course  # noqa: E402

for _exercise in load_course().exercises:
    if _exercise.public_checks.is_file():
        __import__(f"grader.{_exercise.public_checks.parent.name}.{_exercise.public_checks.stem}")

# The data set is deliberately NOT loaded here: every submission's process is forked from this one,
# and the held-out labels must never be in a submission's memory. Trusted processes load it from the
# grader's cache (grader.grade.worker.cache_dataset).
import grader.datasets  # noqa: F401,E402,I001

# Warm pytest's own lazy imports and collection with a session that collects every public check and
# runs none (no TensorFlow op runs here: the forkserver must stay free of TensorFlow's thread pools).
import contextlib as _contextlib  # noqa: E402
import io as _io  # noqa: E402
import os as _os  # noqa: E402

_targets = [str(e.public_checks) for e in load_course().exercises if e.public_checks.is_file()]
with _contextlib.redirect_stdout(_io.StringIO()), _contextlib.redirect_stderr(_io.StringIO()):
    pytest.main([*grader.runner.SESSION_PLUGINS, "-c", _os.devnull, "--collect-only", "-q", *_targets])

# Everything imported so far lives as long as the process: keep it out of the garbage collector's
# scans (a full collection over TensorFlow's objects costs ~0.2 s) and out of copy-on-write faults.
import gc  # noqa: E402

gc.collect()
gc.freeze()
