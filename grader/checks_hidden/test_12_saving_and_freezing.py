"""Exercise 12 — hidden checks."""

import keras
import numpy as np
import pytest

from grader.checks import CheckFailure, Scenario, expect_own_code, own_code_steps
from grader.checks.inputs import generator
from grader.checks.saving import (
    expect_config_gives_back,
    expect_file_computes,
    expect_saved_and_reloaded,
    frozen_classifier,
    reference_base,
    train_briefly,
)

pytestmark = pytest.mark.exercise("12")


def test_hidden_round_trip_on_rank3_input(submission):
    rng = generator(1221)
    mean, std = rng.normal(size=7).astype("float32"), rng.uniform(0.2, 3.0, size=7).astype("float32")
    kernel, bias = rng.normal(size=(7, 2)).astype("float32"), rng.normal(size=2).astype("float32")
    x = rng.normal(size=(3, 4, 7)).astype("float32")
    scenario = Scenario()
    cls = scenario.learner_class("Standardize")
    layer = scenario.new(cls, mean=mean, std=std)
    dense = scenario.keras_layer("Dense", units=2)
    model = scenario.sequential((4, 7), [layer, dense])
    scenario.assign(dense, [kernel, bias], source_label="a (7, 2) kernel and a (2,) bias")
    saved = scenario.save_and_reload(model, "save_and_reload")
    output = scenario.call(saved, x)
    in_file = scenario.read_saved(saved, x)
    config = scenario.config(layer)
    held = own_code_steps(scenario, cls)
    facts = submission.run(scenario)
    expect_own_code(facts, cls, keras.layers.Layer, held)
    expect_saved_and_reloaded(facts[saved], "save_and_reload(model, directory)")
    if not np.allclose(facts[output], (x - mean) / std @ kernel + bias, atol=1e-4):
        raise CheckFailure("reloaded, a model with Standardize on (4, 7) inputs computes something else")
    expect_file_computes(facts[in_file], x, (x - mean) / std @ kernel + bias)
    expect_config_gives_back(facts[config], mean, std)


def test_hidden_another_base_stays_frozen_while_the_head_learns(submission):
    frozen = frozen_classifier(submission, reference_base(1222, units=(4,), inputs=6), 4)
    variables, head = frozen.base_variables(), frozen.head()
    frozen.initialise_head(1223)
    head_before = [v.numpy().copy() for v in head]
    train_briefly(frozen, seed=1223)
    if any(not np.array_equal(v.numpy(), b) for v, b in zip(variables, frozen.base_values, strict=True)):
        raise CheckFailure("a one-layer base's weights moved during fit")
    if all(np.array_equal(v.numpy(), b) for v, b in zip(head, head_before, strict=True)):
        raise CheckFailure("the head on a one-layer base did not learn during fit")
