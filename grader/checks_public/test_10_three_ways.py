"""Exercise 10 — One architecture, three ways: the same parameters and the same outputs."""

import keras
import numpy as np
import pytest

from grader.checks import (
    CheckFailure,
    copy_weights,
    count_params,
    ensure_built,
    expect_api,
    expect_close,
    expect_model,
    expect_param_count,
    fmt_int,
    predict_numpy,
)

pytestmark = pytest.mark.exercise("10")

INPUT = (28, 28)
PARAMS = 52_650
FORMULA = "(784·64 + 64) + (64·32 + 32) + (32·10 + 10) = 50,240 + 2,080 + 330"


def sequential(submission, notes):
    return ensure_built(expect_model(submission.call("build_sequential"), "build_sequential()"), INPUT, notes)


def functional(submission, notes):
    return ensure_built(expect_model(submission.call("build_functional"), "build_functional()"), INPUT, notes)


def subclassed(submission, notes):
    cls = submission.get("SubclassedMLP", "class")
    if not (isinstance(cls, type) and issubclass(cls, keras.Model)):
        raise CheckFailure("`SubclassedMLP` is not a subclass of keras.Model",
                           expected="class SubclassedMLP(keras.Model)", got=repr(cls)[:80])
    model = submission.invoke(cls, "SubclassedMLP()")
    return ensure_built(model, INPUT, notes)


def test_sequential_is_sequential(submission, notes):
    expect_api(sequential(submission, notes), "sequential", "build_sequential()",
               hint="keras.Sequential([keras.Input(shape=(28, 28)), layers.Flatten(), …])")


def test_functional_is_functional(submission, notes):
    expect_api(functional(submission, notes), "functional", "build_functional()",
               hint="inputs = keras.Input(shape=(28, 28)); …; return keras.Model(inputs, outputs)")


def test_subclassed_is_a_subclass(submission, notes):
    expect_api(subclassed(submission, notes), "subclassed", "SubclassedMLP()",
               hint="create the layers in __init__ and call them in call(self, inputs)")


def test_parameter_counts_are_identical(submission, notes):
    models = {"build_sequential()": sequential(submission, notes), "build_functional()": functional(submission, notes),
              "SubclassedMLP()": subclassed(submission, notes)}
    counts = {label: count_params(model) for label, model in models.items()}
    shown = ", ".join(f"{label} {fmt_int(n)}" for label, n in counts.items())
    for label, got in counts.items():
        expect_param_count(label, got, PARAMS, formula=FORMULA,
                           hint=f"the three counts are {shown}; all three are one architecture: "
                           "Flatten, Dense(64, relu), Dense(32, relu), Dense(10)")


def test_outputs_identical_after_weight_copy(submission, notes):
    source = sequential(submission, notes)
    x = np.random.default_rng(10).uniform(size=(8, *INPUT)).astype("float32")
    expected = submission.invoke(predict_numpy, "build_sequential()(x)", source, x)
    for label, target in (("build_functional()", functional(submission, notes)),
                          ("SubclassedMLP()", subclassed(submission, notes))):
        copy_weights(source, target, source_label="build_sequential()", target_label=label)
        got = submission.invoke(predict_numpy, f"{label}(x)", target, x)
        expect_close(
            f"the output of {label} with the weights of build_sequential()", got, expected, atol=1e-5,
            why="the same layers with the same weights compute the same function, whichever API wires them",
            hint="compare the activations of the two models and the order in which call() applies the layers",
        )
