"""Exercise 9 — A Model of your own: `MLPClassifier` with Dropout, a `training` flag and a Monte Carlo switch.

The checks observe `MLPClassifier` through scenarios (grader.checks.scenario) and judge the facts
that come back: its API, shapes, the parameter count from its variables' shapes, and its outputs.
"""


import numpy as np
import pytest

from grader.checks import (
    CheckFailure,
    NotChecked,
    Scenario,
    expect_close,
    expect_equal_shape,
    expect_param_count,
    parameter_count,
    run_on_model_class,
)
from grader.checks.equivalence import WEIGHTS_DIFFER
from grader.checks.inputs import generator
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
    return run_on_model_class(submission, scenario, cls, input_shape=INPUT, notes=notes, built=built)


def sample_batch() -> np.ndarray:
    return generator(9).uniform(size=(8, *INPUT)).astype("float32")


def dropout_batch() -> np.ndarray:
    """The batch on which the share of hidden units Dropout zeroes is counted: 64 rows, so that with
    `dropout_weights` about 500 hidden values are active, and the share of a Dropout(0.5) lies within
    30–70% on any arrays (9 standard deviations; with 8 rows and any weights a fair Dropout fell outside
    25–75% on about one draw in twenty)."""
    return generator(97).uniform(size=(64, *INPUT)).astype("float32")


def dropout_weights(seed: int) -> list[np.ndarray]:
    """`mlp_weights(8, 10, seed)` with the hidden biases raised by 2, so that nearly every hidden unit is
    active (a zeroed unit is told from an inactive one only where the unit is active)."""
    weights = mlp_weights(8, 10, seed)
    weights[1] = np.abs(weights[1]) + np.float32(2.0)
    return weights


def mlp_weights(hidden_units: int, num_classes: int, seed: int) -> list[np.ndarray]:
    """Seeded weights for Dense(hidden_units) and Dense(num_classes): [kernel1, bias1, kernel2, bias2].

    When hidden_units <= num_classes the second kernel has orthonormal rows, so the hidden layer's
    output (after Dropout) can be read back from the logits: h = (logits - bias2) @ kernel2.T.
    """
    rng = generator(seed)
    kernel1, bias1 = rng.normal(scale=0.05, size=(784, hidden_units)), rng.normal(scale=0.3, size=hidden_units)
    kernel2 = rng.normal(scale=0.3, size=(hidden_units, num_classes))
    if hidden_units <= num_classes:
        kernel2 = np.linalg.qr(kernel2.T)[0].T
    bias2 = rng.normal(scale=0.3, size=num_classes)
    return [w.astype("float32") for w in (kernel1, bias1, kernel2, bias2)]


def hidden_of(x: np.ndarray, weights: list[np.ndarray]) -> np.ndarray:
    """relu(Dense(hidden_units)(flatten(x))) with these weights."""
    return np.maximum(x.reshape(len(x), -1) @ weights[0] + weights[1], 0)


def logits_of(x: np.ndarray, weights: list[np.ndarray]) -> np.ndarray:
    """The reference model's output at inference (Dropout passes its input through)."""
    return hidden_of(x, weights) @ weights[2] + weights[3]


def expect_reference_outputs(label: str, got: np.ndarray, x: np.ndarray, weights: list[np.ndarray]) -> None:
    got = np.asarray(got)
    if got.ndim == 2 and np.all(got >= 0) and np.allclose(got.sum(axis=-1), 1.0, atol=1e-4):
        raise CheckFailure(
            f"{label}(x, training=False) outputs probabilities (a softmax); the model must output logits",
            expected="logits: the last Dense layer's raw scores", got="rows of non-negative values summing to 1",
            why="the loss the model is trained with (from_logits=True) applies the softmax itself",
            hint="leave the last Dense layer without an activation",
        )
    expect_close(
        f"{label}(x, training=False)", got, logits_of(x, weights), atol=1e-4,
        why="at inference the model computes Dense(num_classes)(relu(Dense(hidden_units)(flatten(x)))): "
        "Dropout passes its input through unchanged",
        hint="call the layers in order in call(): flatten, hidden (with relu), dropout, then the classifier",
    )


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
                       hint="the last layer gives num_classes logits, with no activation")


def test_parameter_count_with_defaults(submission, notes):
    scenario, cls = mlp_classifier()
    model, built = make(scenario, cls)
    variables = scenario.variables(model)
    facts = play(submission, scenario, cls, notes, [built])
    expect_param_count(model.label, parameter_count(facts[variables]), 101_770,
                       formula="(784·128 + 128) + (128·10 + 10) = 100,480 + 1,290; Flatten and Dropout have none",
                       hint="a hidden Dense of hidden_units with ReLU and an output Dense of num_classes, created in __init__")


def test_inference_is_deterministic(submission, notes):
    scenario, cls = mlp_classifier()
    model, built = make(scenario, cls)
    x = sample_batch()
    first, second = scenario.call(model, x, training=False), scenario.call(model, x, training=False)
    plain = scenario.call(model, x)
    facts = play(submission, scenario, cls, notes, [built])
    if not np.array_equal(facts[first], facts[second]):
        raise CheckFailure(
            f"{model.label} gives different outputs for the same input with training=False",
            expected="identical outputs at inference", got="outputs that change from call to call",
            why="Dropout only drops units while training; at inference it passes its input through unchanged",
            hint="pass the model's training flag on to the Dropout layer instead of a fixed value",
        )
    if facts[plain].shape != facts[first].shape or not np.allclose(facts[plain], facts[first], atol=1e-6):
        raise CheckFailure(
            f"{model.label}(x) without a training argument keeps Dropout on",
            expected="model(x) computes the same as model(x, training=False)",
            got="model(x) drops units: call() defaults to training=True",
            why="Keras passes training=True itself inside fit(); everywhere else (model(x), predict, evaluate) "
            "a model is used for inference, so call() must not default to training",
            hint="let call()'s training argument default to None and pass it on",
        )


def test_constructor_arguments_are_honoured(submission, notes):
    scenario, cls = mlp_classifier()
    x = sample_batch()
    narrow, narrow_built = make(scenario, cls, hidden_units=32)
    variables = scenario.variables(narrow)
    narrow_weights = mlp_weights(32, 10, seed=93)
    scenario.assign(narrow, narrow_weights, source_label="Dense(32) and Dense(10)")
    narrow_output = scenario.call(narrow, x, training=False)
    five, five_built = make(scenario, cls, num_classes=5)
    shape = scenario.output_shape(five, INPUT)
    five_weights = mlp_weights(128, 5, seed=94)
    scenario.assign(five, five_weights, source_label="Dense(128) and Dense(5)")
    five_output = scenario.call(five, x, training=False)
    facts = play(submission, scenario, cls, notes, [narrow_built, five_built])
    expect_param_count(narrow.label, parameter_count(facts[variables]), 25_450,
                       formula="(784·32 + 32) + (32·10 + 10) = 25,120 + 330",
                       hint="use the hidden_units argument for the hidden Dense layer, not a fixed 128")
    expect_reference_outputs(narrow.label, facts[narrow_output], x, narrow_weights)
    expect_equal_shape(f"the output of {five.label}", facts[shape], (None, 5),
                       why="Dense(num_classes) outputs num_classes logits",
                       hint="use the num_classes argument for the last Dense layer")
    expect_reference_outputs(five.label, facts[five_output], x, five_weights)


def test_training_differs_from_inference(submission, notes):
    scenario, cls = mlp_classifier()
    model, built = make(scenario, cls)
    x = sample_batch()
    inference = scenario.call(model, x, training=False)
    scenario.seed(load_course().seed)
    training = scenario.call(model, x, training=True)
    # A narrow model whose hidden units can be read back from its logits: is that Dropout at work?
    narrow, narrow_built = make(scenario, cls, hidden_units=8)
    weights = dropout_weights(seed=95)
    scenario.assign(narrow, weights, source_label="Dense(8) and Dense(10)")
    scenario.seed(load_course().seed)
    counted = dropout_batch()
    narrow_training = scenario.call(narrow, counted, training=True)
    facts = play(submission, scenario, cls, notes, [built, narrow_built])
    if facts[training].shape == facts[inference].shape and np.allclose(facts[training], facts[inference]):
        raise CheckFailure(
            f"{model.label} gives the same outputs with training=True as at inference",
            expected="Dropout(0.5) active when training=True, so the outputs differ",
            got="identical outputs",
            why="with training=True Dropout zeroes about half of the hidden units and scales the rest by 2",
            hint="create a Dropout layer in __init__ and pass it the model's training flag in call()",
        )
    try:
        narrow_output = facts[narrow_training]
    except CheckFailure as failure:
        if WEIGHTS_DIFFER in failure.summary:  # hidden_units ignored: 'constructor arguments' said so
            raise NotChecked(f"{narrow.label} does not have the weights of Dense(8) and Dense(10) (see the "
                             "constructor arguments check above)", fix_first="the constructor arguments") from None
        raise
    expect_dropout(f"{narrow.label}(x, training=True)", narrow_output, counted, weights, rate=0.5)


def test_monte_carlo_dropout_stays_on_at_inference(submission, notes):
    scenario, cls = mlp_classifier()
    x = dropout_batch()
    narrow, narrow_built = make(scenario, cls, hidden_units=8, mc_dropout=True)
    weights = dropout_weights(seed=96)
    scenario.assign(narrow, weights, source_label="Dense(8) and Dense(10)")
    scenario.seed(load_course().seed)
    first = scenario.call(narrow, x, training=False)
    second = scenario.call(narrow, x, training=False)
    facts = play(submission, scenario, cls, notes, [narrow_built])
    if np.allclose(facts[first], logits_of(x, weights), atol=1e-4) and np.allclose(facts[second], facts[first]):
        raise CheckFailure(
            f"{narrow.label} switches Dropout off at inference",
            expected="with mc_dropout=True, Dropout active even when training is False",
            got="the plain inference output, the same on every call",
            why="Monte Carlo dropout keeps dropping units at inference, so that repeated predictions differ "
            "and their spread estimates the model's uncertainty; no built-in layer decides this for you",
            hint="in call(), choose the flag you give the Dropout layer: the model's training flag normally, "
            "but always on when the model was built with mc_dropout=True",
        )
    expect_dropout(f"{narrow.label}(x, training=False)", facts[first], x, weights, rate=0.5)


def expect_dropout(label: str, got: np.ndarray, x: np.ndarray, weights: list[np.ndarray], rate: float) -> None:
    """`got` must be the reference model's logits with Dropout(rate) on the hidden units: each active
    unit either zeroed or scaled by 1 / (1 - rate), and about `rate` of them zeroed."""
    hidden = hidden_of(x, weights)
    dropped = (np.asarray(got, dtype="float64") - weights[3]) @ weights[2].T  # orthonormal rows: exact
    active = hidden > 1e-2
    ratio = dropped[active] / hidden[active]
    kept, zeroed = np.abs(ratio - 1 / (1 - rate)) < 0.02, np.abs(ratio) < 0.02
    why = (f"Dropout({rate}) while training zeroes each hidden unit with probability {rate} and multiplies the "
           f"others by 1 / (1 - {rate}) = {1 / (1 - rate):g}, so that their expected value is unchanged")
    if not np.all(kept | zeroed):
        raise CheckFailure(
            f"with training=True, {label} does not compute Dropout({rate}) on the hidden layer's output",
            expected=f"each hidden unit zeroed or scaled by {1 / (1 - rate):g}",
            got=f"{int(np.count_nonzero(~(kept | zeroed)))} of {ratio.size} active hidden units changed otherwise",
            why=why, hint="Flatten → Dense(hidden_units, relu) → Dropout(dropout_rate) → Dense(num_classes), with "
            "the training flag passed on to the Dropout layer",
        )
    share = np.count_nonzero(zeroed) / max(ratio.size, 1)
    if not rate - 0.2 <= share <= rate + 0.2:
        raise CheckFailure(
            f"with training=True, {label} zeroes {share:.0%} of the active hidden units; Dropout({rate}) zeroes "
            f"about {rate:.0%}",
            expected=f"between {rate - 0.2:.0%} and {rate + 0.2:.0%} (Dropout({rate}))", got=f"{share:.0%}",
            why=why, hint="use the dropout_rate argument (default 0.5) for the Dropout layer",
        )


def test_inference_computes_the_architecture(submission, notes):
    weights = mlp_weights(128, 10, seed=90)
    x = sample_batch()
    scenario, cls = mlp_classifier()
    model, built = make(scenario, cls)
    scenario.assign(model, weights, source_label="Dense(128) and Dense(10)")
    output = scenario.call(model, x, training=False)
    facts = play(submission, scenario, cls, notes, [built])
    expect_reference_outputs(model.label, facts[output], x, weights)
