"""Exercise 2 — hidden checks."""

import keras
import numpy as np
import pytest

from grader.checks import CheckFailure, expect_array, expect_close, expect_integer
from grader.checks.inputs import generator

pytestmark = pytest.mark.exercise("02")


def test_hidden_param_counts_for_random_shapes(submission):
    rng = generator(11)
    for _ in range(20):
        n_inputs, units = (int(v) for v in rng.integers(1, 3000, size=2))
        use_bias = bool(rng.integers(0, 2))
        got = expect_integer("dense_param_count", submission.call("dense_param_count", n_inputs, units, use_bias=use_bias))
        if got != n_inputs * units + (units if use_bias else 0):
            raise CheckFailure("dense_param_count is wrong for some layer sizes")


def test_hidden_forward_on_rank4_input(submission):
    x = generator(12).normal(size=(2, 3, 4, 5)).astype("float32")
    layer = keras.layers.Dense(6, activation="relu")
    expected = np.asarray(layer(x))
    kernel, bias = (np.asarray(w) for w in layer.weights)
    with np.errstate(all="ignore"):
        got = expect_array("dense_forward", submission.call("dense_forward", x, kernel, bias, activation="relu"))
    expect_close("dense_forward on a rank-4 input", got, expected, atol=1e-4)
