"""Exercise 10 — hidden checks."""

import numpy as np
import pytest

from grader.checks import CheckFailure, assign_random, ensure_built, expect_model, predict_numpy, variables_of

pytestmark = pytest.mark.exercise("10")

SHAPES = [(784, 64), (64,), (64, 32), (32,), (32, 10), (10,)]


def _reference(x, weights):
    k1, b1, k2, b2, k3, b3 = weights
    h = np.maximum(x.reshape(len(x), -1) @ k1 + b1, 0)
    h = np.maximum(h @ k2 + b2, 0)
    return h @ k3 + b3


def test_hidden_each_model_matches_the_architecture(submission, notes):
    cls = submission.get("SubclassedMLP", "class")
    models = {
        "build_sequential()": expect_model(submission.call("build_sequential"), "build_sequential()"),
        "build_functional()": expect_model(submission.call("build_functional"), "build_functional()"),
        "SubclassedMLP()": submission.invoke(cls, "SubclassedMLP()"),
    }
    x = np.random.default_rng(101).uniform(size=(8, 28, 28)).astype("float32")
    for label, model in models.items():
        ensure_built(model, (28, 28), notes)
        by_shape = {w.shape: w for w in assign_random(model, seed=102)}
        if sorted(by_shape) != sorted(SHAPES) or len(variables_of(model)) != len(SHAPES):
            raise CheckFailure(f"{label} does not have the weights of Dense(64), Dense(32) and Dense(10)")
        got = submission.invoke(predict_numpy, f"{label}(x)", model, x)
        if not np.allclose(got, _reference(x, [by_shape[s] for s in SHAPES]), atol=1e-4):
            raise CheckFailure(f"{label} computes something other than Flatten → Dense(64, relu) → "
                               "Dense(32, relu) → Dense(10)")
