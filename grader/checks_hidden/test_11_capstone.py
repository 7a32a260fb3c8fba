"""Exercise 11 — hidden checks."""

import numpy as np
import pytest

from grader.checks import CheckFailure, Scenario
from grader.checks.inputs import generator
from grader.checks.introspect import built_note
from grader.manifest import load_course

pytestmark = pytest.mark.exercise("11")

INPUT = tuple(load_course().find("11").extra["input_shape"])  # (28, 28)


def test_hidden_build_model_returns_a_fresh_model(submission, notes):
    """Judged by what the models compute, not object identity: after the first model's weights are set to
    random values, a second call must return a model that computes something else on the same images
    (played as a scenario, so that batch grading asks the learner's own process for both models rather
    than rebuilding one returned value twice)."""
    x = generator(111).uniform(size=(4, *INPUT)).astype("float32")
    scenario = Scenario()
    first = scenario.learner_model("build_model", label="build_model()")
    built = [scenario.build(first, INPUT)]
    scenario.randomize(first, seed=111, scale=0.7)
    second = scenario.learner_model("build_model", label="build_model()")
    built.append(scenario.build(second, INPUT))
    outputs = [scenario.predict(first, x), scenario.predict(second, x)]
    facts = submission.run(scenario)
    if any(facts[step] for step in built) and built_note(INPUT) not in notes:
        notes.append(built_note(INPUT))
    if np.array_equal(np.asarray(facts[outputs[0]]), np.asarray(facts[outputs[1]])):
        raise CheckFailure("build_model() returns the same model (or the same weights) every time it is called",
                           hint="create the layers inside build_model(), not once at the top of the file")
