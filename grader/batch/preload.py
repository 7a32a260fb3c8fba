"""Imported once by the forkserver: every graded process starts with TensorFlow and the grader loaded."""

import grader  # noqa: F401 - silences TensorFlow first

import keras  # noqa: F401,E402
import tensorflow  # noqa: F401,E402

import grader.batch.replay  # noqa: F401,E402
import grader.batch.values  # noqa: F401,E402
import grader.checks  # noqa: F401,E402
import grader.checks.training  # noqa: F401,E402
import grader.runner  # noqa: F401,E402
from grader.quiet import quiet_keras  # noqa: E402

quiet_keras()
