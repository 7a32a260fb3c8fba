"""Exercise 10 — One architecture, three ways: the same parameters and the same outputs.

`build_sequential()` and `build_functional()` return models the grader can hold; `SubclassedMLP` is
observed through scenarios (grader.checks.scenario). All three receive the same weights, chosen
here, and must then compute the same outputs.
"""


import numpy as np
import pytest

from grader.checks import (
    CheckFailure,
    NotChecked,
    Scenario,
    assign_values,
    count_params,
    ensure_built,
    expect_api,
    expect_api_named,
    expect_close,
    expect_model,
    expect_param_count,
    fmt_int,
    parameter_count,
    predict_numpy,
    run_on_model_class,
)
from grader.checks.inputs import generator
from grader.checks.layerlist import Spec, first_divergence, layer_list

pytestmark = pytest.mark.exercise("10")

INPUT = (28, 28)
PARAMS = 52_650
FORMULA = "(784·64 + 64) + (64·32 + 32) + (32·10 + 10) = 50,240 + 2,080 + 330"
SHAPES = [(784, 64), (64,), (64, 32), (32,), (32, 10), (10,)]
ARCHITECTURE = "Flatten → Dense(64, relu) → Dense(32, relu) → Dense(10)"


def sequential(submission, notes):
    return ensure_built(expect_model(submission.call("build_sequential"), "build_sequential()"), INPUT, notes)


def functional(submission, notes):
    return ensure_built(expect_model(submission.call("build_functional"), "build_functional()"), INPUT, notes)


def subclassed() -> tuple[Scenario, object, object, object]:
    """A scenario that builds `SubclassedMLP()`: (scenario, class Ref, model Ref, build Ref)."""
    scenario = Scenario()
    cls = scenario.learner_class("SubclassedMLP")
    model = scenario.new(cls)
    return scenario, cls, model, scenario.build(model, INPUT)


def play(submission, scenario: Scenario, cls, built, notes):
    return run_on_model_class(submission, scenario, cls, input_shape=INPUT, notes=notes, built=[built])


def test_sequential_is_sequential(submission, notes):
    expect_api(sequential(submission, notes), "sequential", "build_sequential()",
               hint="a keras.Sequential list of the layers, starting with the Input")


def test_functional_is_functional(submission, notes):
    expect_api(functional(submission, notes), "functional", "build_functional()",
               hint="start from keras.Input, call each layer on the previous tensor, build keras.Model(inputs, outputs)")


def test_subclassed_is_a_subclass(submission, notes):
    scenario, cls, model, built = subclassed()
    api = scenario.api(model)
    fact = play(submission, scenario, cls, built, notes)[api]
    expect_api_named(fact["api"], "subclassed", "SubclassedMLP()", type_name=fact["type"],
                     hint="create the layers in __init__ and call them in call(self, inputs)")


SPECS = [Spec("Flatten"), Spec("Dense", 64, "relu"), Spec("Dense", 32, "relu"), Spec("Dense", 10)]


def layer_list_divergence(model, label: str) -> CheckFailure | None:
    """The first difference between a Sequential or functional model's layers (in normal form) and the
    architecture, in the lesson's terms, naming the function; None when they match or cannot be listed."""
    try:
        found = first_divergence(layer_list(model, INPUT), SPECS)
    except CheckFailure:
        return None
    if found is None:
        return None
    return CheckFailure(f"{label}: {found.summary}", expected=found.expected, got=found.got, why=found.why,
                        hint=found.hint)


def test_parameter_counts_are_identical(submission, notes):
    for label, build in (("build_sequential()", sequential), ("build_functional()", functional)):
        divergence = layer_list_divergence(build(submission, notes), label)
        if divergence is not None:
            raise divergence
    scenario, cls, model, built = subclassed()
    variables = scenario.variables(model)
    counts = {"build_sequential()": count_params(sequential(submission, notes)),
              "build_functional()": count_params(functional(submission, notes)),
              "SubclassedMLP()": parameter_count(play(submission, scenario, cls, built, notes)[variables])}
    shown = ", ".join(f"{label} {fmt_int(n)}" for label, n in counts.items())
    for label, got in counts.items():
        expect_param_count(label, got, PARAMS, formula=FORMULA,
                           hint=f"the three counts are {shown}; all three are one architecture: "
                           "Flatten, Dense(64, relu), Dense(32, relu), Dense(10)")


def looks_like_probabilities(outputs: np.ndarray) -> bool:
    outputs = np.asarray(outputs)
    return bool(outputs.ndim == 2 and np.all(outputs >= 0) and np.allclose(outputs.sum(axis=-1), 1.0, atol=1e-4))


def test_outputs_identical_after_weight_copy(submission, notes):
    for label, build in (("build_sequential()", sequential), ("build_functional()", functional)):
        if layer_list_divergence(build(submission, notes), label) is not None:
            raise NotChecked(f"the layers of {label} differ from the architecture (see the parameter counts "
                             "check above)")
    rng = generator(10)
    weights = [rng.normal(scale=0.3, size=shape).astype("float32") for shape in SHAPES]
    x = rng.uniform(size=(8, *INPUT)).astype("float32")
    source = sequential(submission, notes)
    assign_values(source, weights, source_label=ARCHITECTURE, target_label="build_sequential()")
    expected = submission.invoke(predict_numpy, "build_sequential()(x)", source, x)
    target = functional(submission, notes)
    assign_values(target, weights, source_label=ARCHITECTURE, target_label="build_functional()")
    outputs = {"build_functional()": submission.invoke(predict_numpy, "build_functional()(x)", target, x)}
    scenario, cls, model, built = subclassed()
    scenario.assign(model, weights, source_label=ARCHITECTURE)
    output = scenario.call(model, x, training=False)
    outputs["SubclassedMLP()"] = play(submission, scenario, cls, built, notes)[output]
    for label, got in outputs.items():
        if looks_like_probabilities(got) and not looks_like_probabilities(expected):
            raise CheckFailure(
                f"{label} outputs probabilities (a softmax) where build_sequential() outputs logits",
                expected="the same logits as build_sequential()", got="rows of non-negative values summing to 1",
                why="the architecture ends with Dense(10) and no activation in all three forms",
                hint=f"leave the last Dense layer of {label} without an activation",
            )
        expect_close(
            f"the output of {label} with the same weights as build_sequential()", got, expected, atol=1e-5,
            why="the same layers with the same weights compute the same function, whichever API wires them",
            hint="compare the activations of the two models and the order in which call() applies the layers",
        )
