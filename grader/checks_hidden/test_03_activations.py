"""Exercise 3 — hidden checks."""

import keras
import numpy as np
import pytest

from grader.checks import expect_array, expect_close
from grader.checks.inputs import generator

pytestmark = pytest.mark.exercise("03")


def test_hidden_softmax_on_wide_random_logits(submission):
    logits = generator(13).normal(scale=500.0, size=(32, 10))
    with np.errstate(all="ignore"):
        got = expect_array("softmax", submission.call("softmax", logits), shape=logits.shape)
    expect_close("softmax of large random logits", got, np.asarray(keras.activations.softmax(logits)), atol=1e-6)
    expect_close("row sums of softmax", got.sum(axis=-1), np.ones(32), atol=1e-9)
