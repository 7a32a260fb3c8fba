"""Exercise 3 — hidden checks."""

import keras
import numpy as np
import pytest

from grader.checks import expect_array, expect_close
from grader.checks.inputs import generator

pytestmark = pytest.mark.exercise("03")


def test_hidden_softmax_on_wide_random_logits(submission):
    """A softmax computed in float32 (as Keras computes by default) is as right as one in float64: at this
    scale, rounding the logits to float32 moves them by up to 3e-5, and rows whose two largest logits are
    close then differ from the float64 softmax by more than the tolerance. So the answer is compared with
    the softmax of the logits as given and of the logits rounded to float32, whichever it is closer to
    (with new inputs drawn in each batch run, a float32 answer lost this point in about one run in eight)."""
    logits = generator(13).normal(scale=500.0, size=(32, 10))
    with np.errstate(all="ignore"):
        got = expect_array("softmax", submission.call("softmax", logits), shape=logits.shape)
    exact = np.asarray(keras.activations.softmax(logits), dtype="float64")
    rounded = np.asarray(keras.activations.softmax(logits.astype("float32").astype("float64")), dtype="float64")
    with np.errstate(all="ignore"):
        closer = rounded if np.nanmax(np.abs(got - rounded)) < np.nanmax(np.abs(got - exact)) else exact
    expect_close("softmax of large random logits", got, closer, atol=1e-6)
    expect_close("row sums of softmax", got.sum(axis=-1), np.ones(32), atol=1e-6)
