"""Exercise 11 — hidden checks."""

import pytest

from grader.checks import CheckFailure, ensure_built, expect_model, variables_of

pytestmark = pytest.mark.exercise("11")


def test_hidden_build_model_returns_a_fresh_model(submission, notes):
    first = ensure_built(expect_model(submission.call("build_model"), "build_model()"), (28, 28), notes)
    second = ensure_built(expect_model(submission.call("build_model"), "build_model()"), (28, 28), notes)
    shared = {id(v) for v in variables_of(first)} & {id(v) for v in variables_of(second)}
    if first is second or shared:
        raise CheckFailure("build_model() returns the same model (or the same weights) every time it is called",
                           hint="create the layers inside build_model(), not once at the top of the file")
