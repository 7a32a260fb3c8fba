"""Exercise 9 — hidden checks."""

import numpy as np
import pytest

from grader.checks import CheckFailure, Scenario
from grader.manifest import load_course

pytestmark = pytest.mark.exercise("09")


def test_hidden_dropout_rate_is_honoured(submission):
    scenario = Scenario()
    model = scenario.new(scenario.learner_class("MLPClassifier"), dropout_rate=0.0)
    scenario.build(model, (28, 28))
    x = np.random.default_rng(91).uniform(size=(8, 28, 28)).astype("float32")
    scenario.seed(load_course().seed)
    training = scenario.call(model, x, training=True)
    inference = scenario.call(model, x, training=False)
    facts = submission.run(scenario)
    if not np.allclose(facts[training], facts[inference], atol=1e-5):
        raise CheckFailure("MLPClassifier(dropout_rate=0.0) still drops units while training")


def test_hidden_fit_trains_the_model(submission):
    scenario = Scenario()
    cls = scenario.learner_class("MLPClassifier")
    scenario.seed(load_course().seed)
    model = scenario.new(cls, hidden_units=16)
    rng = np.random.default_rng(92)
    x = rng.uniform(size=(64, 28, 28)).astype("float32")
    y = rng.integers(0, 10, size=64)
    fit = scenario.fit(model, x, y, epochs=2, batch_size=32)
    losses = submission.run(scenario)[fit]
    if len(losses) != 2 or not np.all(np.isfinite(losses)):
        raise CheckFailure("fit() on MLPClassifier does not produce a finite loss", got=losses)
