"""Exercise 10 — hidden checks."""

import numpy as np
import pytest

from grader.checks import CheckFailure, Scenario, assign_random, ensure_built, expect_model, predict_numpy, variables_of
from grader.checks.inputs import generator

pytestmark = pytest.mark.exercise("10")

SHAPES = [(784, 64), (64,), (64, 32), (32,), (32, 10), (10,)]


def _reference(x, weights):
    k1, b1, k2, b2, k3, b3 = weights
    h = np.maximum(x.reshape(len(x), -1) @ k1 + b1, 0)
    h = np.maximum(h @ k2 + b2, 0)
    return h @ k3 + b3


def _wrong_architecture(label):
    return CheckFailure(f"{label} does not compute Flatten → Dense(64, relu) → Dense(32, relu) → Dense(10)")


def test_hidden_each_model_matches_the_architecture(submission, notes):
    x = generator(101).uniform(size=(8, 28, 28)).astype("float32")
    for name in ("build_sequential", "build_functional"):
        label = f"{name}()"
        model = ensure_built(expect_model(submission.call(name), label), (28, 28), notes)
        by_shape = {w.shape: w for w in assign_random(model, seed=102)}
        if sorted(by_shape) != sorted(SHAPES) or len(variables_of(model)) != len(SHAPES):
            raise CheckFailure(f"{label} does not have the weights of Dense(64), Dense(32) and Dense(10)")
        got = submission.invoke(predict_numpy, f"{label}(x)", model, x)
        if not np.allclose(got, _reference(x, [by_shape[s] for s in SHAPES]), atol=1e-4):
            raise _wrong_architecture(label)
    rng = generator(102)
    weights = [rng.normal(scale=0.3, size=shape).astype("float32") for shape in SHAPES]
    scenario = Scenario()
    model = scenario.new(scenario.learner_class("SubclassedMLP"))
    scenario.build(model, (28, 28))
    variables = scenario.variables(model)
    scenario.assign(model, weights, source_label="the architecture")
    output = scenario.call(model, x, training=False)
    facts = submission.run(scenario)
    shapes = [tuple(shape) for _, shape in facts[variables]]
    if sorted(shapes) != sorted(SHAPES):
        raise CheckFailure("SubclassedMLP() does not have the weights of Dense(64), Dense(32) and Dense(10)")
    if not np.allclose(facts[output], _reference(x, weights), atol=1e-4):
        raise _wrong_architecture("SubclassedMLP()")
