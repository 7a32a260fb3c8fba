"""Exercise 11 — hidden checks."""

import numpy as np
import pytest

from grader.checks import CheckFailure, assign_random, ensure_built, expect_model, variables_of

pytestmark = pytest.mark.exercise("11")


def test_hidden_build_model_returns_a_fresh_model(submission, notes):
    """Judged by weights, not object identity: after the first model's weights are changed, a second call
    must return a model whose weights did not change with them."""
    first = ensure_built(expect_model(submission.call("build_model"), "build_model()"), (28, 28), notes)
    changed = assign_random(first, seed=111, scale=0.7)
    second = ensure_built(expect_model(submission.call("build_model"), "build_model()"), (28, 28), notes)
    again = [np.asarray(v) for v in variables_of(second)]
    same = len(again) == len(changed) and all(
        a.shape == c.shape and np.array_equal(a, c) for a, c in zip(again, changed, strict=True))
    if first is second or (changed and same):
        raise CheckFailure("build_model() returns the same model (or the same weights) every time it is called",
                           hint="create the layers inside build_model(), not once at the top of the file")
