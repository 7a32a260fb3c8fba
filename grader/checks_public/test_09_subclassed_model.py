"""Exercise 9 — A Model of your own: `MLPClassifier` with Dropout and a `training` flag.

The checks observe `MLPClassifier` through scenarios (grader.checks.scenario) and judge the facts
that come back: its API, shapes, the parameter count from its variables' shapes, and its outputs.
"""

from math import prod

import keras
import numpy as np
import pytest

from grader.checks import (
    CheckFailure,
    Scenario,
    built_note,
    expect_close,
    expect_equal_shape,
    expect_param_count,
    subclasses,
)
from grader.manifest import load_course

pytestmark = pytest.mark.exercise("09")

INPUT = (28, 28)


def mlp_classifier() -> tuple[Scenario, object]:
    """A scenario that starts by taking the class `MLPClassifier`, and that class's Ref."""
    scenario = Scenario()
    return scenario, scenario.learner_class("MLPClassifier")


def make(scenario: Scenario, cls, **kwargs):
    """`MLPClassifier(**kwargs)`, built on the exercise's input: (model Ref, build Ref)."""
    model = scenario.new(cls, **kwargs)
    return model, scenario.build(model, INPUT)


def play(submission, scenario: Scenario, cls, notes: list[str] | None = None, built=()):
    """Play the scenario; `MLPClassifier` must subclass keras.Model. Notes say when the grader built it."""
    facts = submission.run(scenario)
    fact = facts[cls]
    if not subclasses(fact, keras.Model):
        raise CheckFailure("`MLPClassifier` is not a subclass of keras.Model",
                           expected="class MLPClassifier(keras.Model)", got=fact["repr"])
    if notes is not None and any(facts[b] for b in built):
        notes.append(built_note(INPUT))
    return facts


def parameters(variables) -> int:
    return sum(prod(shape) for _, shape in variables)


def sample_batch() -> np.ndarray:
    return np.random.default_rng(9).uniform(size=(8, *INPUT)).astype("float32")


def test_is_a_keras_model_subclass(submission):
    scenario, cls = mlp_classifier()
    model = scenario.new(cls)
    api = scenario.api(model)
    got = play(submission, scenario, cls)[api]["api"]
    if got != "subclassed":
        raise CheckFailure(
            f"MLPClassifier() builds a {got} model; this exercise asks for a subclass with its own call()",
            expected="layers created in __init__, wired in call(self, inputs, training=None)", got=got,
            hint="don't pass inputs/outputs to super().__init__; write the forward pass in call()",
        )


def test_output_shape(submission, notes):
    scenario, cls = mlp_classifier()
    model, built = make(scenario, cls)
    shape = scenario.output_shape(model, INPUT)
    facts = play(submission, scenario, cls, notes, [built])
    expect_equal_shape(f"the output of {model.label}", facts[shape], (None, 10),
                       why="Dense(num_classes) outputs one logit per class; num_classes defaults to 10",
                       hint="the last layer is layers.Dense(num_classes), with no activation")


def test_parameter_count_with_defaults(submission, notes):
    scenario, cls = mlp_classifier()
    model, built = make(scenario, cls)
    variables = scenario.variables(model)
    facts = play(submission, scenario, cls, notes, [built])
    expect_param_count(model.label, parameters(facts[variables]), 101_770,
                       formula="(784·128 + 128) + (128·10 + 10) = 100,480 + 1,290; Flatten and Dropout have none",
                       hint="Dense(hidden_units, activation='relu') then Dense(num_classes), created in __init__")


def test_constructor_arguments_are_honoured(submission, notes):
    scenario, cls = mlp_classifier()
    narrow, narrow_built = make(scenario, cls, hidden_units=32)
    variables = scenario.variables(narrow)
    five, five_built = make(scenario, cls, num_classes=5)
    shape = scenario.output_shape(five, INPUT)
    facts = play(submission, scenario, cls, notes, [narrow_built, five_built])
    expect_param_count(narrow.label, parameters(facts[variables]), 25_450,
                       formula="(784·32 + 32) + (32·10 + 10) = 25,120 + 330",
                       hint="use the hidden_units argument for the hidden Dense layer, not a fixed 128")
    expect_equal_shape(f"the output of {five.label}", facts[shape], (None, 5),
                       why="Dense(num_classes) outputs num_classes logits",
                       hint="use the num_classes argument for the last Dense layer")


def test_inference_is_deterministic(submission, notes):
    scenario, cls = mlp_classifier()
    model, built = make(scenario, cls)
    x = sample_batch()
    first, second = scenario.call(model, x, training=False), scenario.call(model, x, training=False)
    facts = play(submission, scenario, cls, notes, [built])
    if not np.array_equal(facts[first], facts[second]):
        raise CheckFailure(
            f"{model.label} gives different outputs for the same input with training=False",
            expected="identical outputs at inference", got="outputs that change from call to call",
            why="Dropout only drops units while training; at inference it passes its input through unchanged",
            hint="pass the flag on: self.dropout(x, training=training) — not training=True",
        )


def test_training_differs_from_inference(submission, notes):
    scenario, cls = mlp_classifier()
    model, built = make(scenario, cls)
    x = sample_batch()
    inference = scenario.call(model, x, training=False)
    scenario.seed(load_course().seed)
    training = scenario.call(model, x, training=True)
    facts = play(submission, scenario, cls, notes, [built])
    if facts[training].shape == facts[inference].shape and np.allclose(facts[training], facts[inference]):
        raise CheckFailure(
            f"{model.label} gives the same outputs with training=True as at inference",
            expected="Dropout(0.5) active when training=True, so the outputs differ",
            got="identical outputs",
            why="with training=True Dropout zeroes about half of the hidden units and scales the rest by 2",
            hint="create layers.Dropout(dropout_rate) in __init__ and call it as self.dropout(x, training=training)",
        )


def test_inference_computes_the_architecture(submission, notes):
    rng = np.random.default_rng(90)
    kernel1, bias1 = rng.normal(scale=0.05, size=(784, 128)), rng.normal(scale=0.3, size=128)
    kernel2, bias2 = rng.normal(scale=0.3, size=(128, 10)), rng.normal(scale=0.3, size=10)
    weights = [w.astype("float32") for w in (kernel1, bias1, kernel2, bias2)]
    x = sample_batch()
    expected = np.maximum(x.reshape(len(x), -1) @ weights[0] + weights[1], 0) @ weights[2] + weights[3]
    scenario, cls = mlp_classifier()
    model, built = make(scenario, cls)
    scenario.assign(model, weights, source_label="Dense(128) and Dense(10)")
    output = scenario.call(model, x, training=False)
    facts = play(submission, scenario, cls, notes, [built])
    expect_close(
        f"{model.label}(x, training=False)", facts[output], expected, atol=1e-4,
        why="at inference the model computes Dense(10)(relu(Dense(128)(flatten(x)))): Dropout passes its "
        "input through unchanged",
        hint="call the layers in order in call(): flatten, hidden (with relu), dropout, then the classifier",
    )
