"""Exercise 9 — hidden checks."""

import numpy as np
import pytest

from grader.checks import CheckFailure, Scenario
from grader.checks.inputs import generator
from grader.manifest import load_course

pytestmark = pytest.mark.exercise("09")


def test_hidden_dropout_rate_is_honoured(submission):
    rng = generator(91)
    weights = [rng.normal(scale=s, size=shape).astype("float32")
               for s, shape in ((0.05, (784, 128)), (0.3, (128,)), (0.3, (128, 10)), (0.3, (10,)))]
    x = rng.uniform(size=(8, 28, 28)).astype("float32")
    scenario = Scenario()
    model = scenario.new(scenario.learner_class("MLPClassifier"), dropout_rate=0.0)
    scenario.build(model, (28, 28))
    scenario.assign(model, weights, source_label="Dense(128) and Dense(10)")
    scenario.seed(load_course().seed)
    training = scenario.call(model, x, training=True)
    expected = np.maximum(x.reshape(8, -1) @ weights[0] + weights[1], 0) @ weights[2] + weights[3]
    if not np.allclose(submission.run(scenario)[training], expected, atol=1e-4):
        raise CheckFailure("MLPClassifier(dropout_rate=0.0) still drops units while training")


def test_hidden_fit_trains_the_model(submission):
    scenario = Scenario()
    cls = scenario.learner_class("MLPClassifier")
    scenario.seed(load_course().seed)
    model = scenario.new(cls, hidden_units=16)
    rng = generator(92)
    x = rng.uniform(size=(64, 28, 28)).astype("float32")
    y = rng.integers(0, 10, size=64)
    fit = scenario.fit(model, x, y, epochs=2, batch_size=32)
    losses = submission.run(scenario)[fit]
    if len(losses) != 2 or not np.all(np.isfinite(losses)):
        raise CheckFailure("fit() on MLPClassifier does not produce a finite loss", got=losses)
