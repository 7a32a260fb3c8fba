"""Exercise 1 — hidden checks."""

import numpy as np
import pytest

from grader.checks import CheckFailure, ensure_built, expect_model, predict_numpy

pytestmark = pytest.mark.exercise("01")


def test_hidden_flattens_rank4_examples_in_order(submission, notes):
    shape = (2, 3, 2, 2)
    model = ensure_built(expect_model(submission.call("build_flatten_model", shape), "build_flatten_model"), shape, notes)
    x = np.random.default_rng(7).normal(size=(3, *shape)).astype("float32")
    got = predict_numpy(model, x)
    if got.shape != (3, 24) or not np.allclose(got, x.reshape(3, -1)):
        raise CheckFailure("a batch of rank-4 examples is not flattened in row-major order",
                           expected="(3, 24), values as x.reshape(3, -1)", got=str(got.shape))
