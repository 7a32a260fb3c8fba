"""Exercise 1 — hidden checks."""

import numpy as np
import pytest

from grader.checks import CheckFailure, Scenario
from grader.checks.inputs import generator
from grader.checks.introspect import built_note

pytestmark = pytest.mark.exercise("01")


def test_hidden_flattens_rank4_examples_in_order(submission, notes):
    shape = (2, 3, 2, 2)
    x = generator(7).normal(size=(3, *shape)).astype("float32")
    scenario = Scenario()
    model = scenario.learner_model("build_flatten_model", shape, label="build_flatten_model")
    built = scenario.build(model, shape)
    output = scenario.predict(model, x)
    facts = submission.run(scenario)
    if facts[built]:
        notes.append(built_note(shape))
    got = np.asarray(facts[output])
    if got.shape != (3, 24) or not np.allclose(got, x.reshape(3, -1)):
        raise CheckFailure("a batch of rank-4 examples is not flattened in row-major order",
                           expected="(3, 24), values as x.reshape(3, -1)", got=str(got.shape))
