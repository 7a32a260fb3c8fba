"""Exercise 2 — Dense, from the inside."""

import keras
import numpy as np
import pytest

from grader.checks import CheckFailure, expect_array, expect_close, expect_integer, fmt_int
from grader.checks.inputs import generator

pytestmark = pytest.mark.exercise("02")

COUNT_CASES = [(784, 128, True), (128, 10, True), (3, 4, False), (1, 1, True), (64, 32, False), (10, 1, True)]


def _keras_dense(x, units, activation=None, use_bias=True, seed=0):
    """A real keras Dense applied to x, with seeded random weights; returns (output, kernel, bias)."""
    layer = keras.layers.Dense(units, activation=activation, use_bias=use_bias)
    layer.build(x.shape)
    rng = generator(seed)
    weights = [rng.normal(size=w.shape).astype("float32") for w in layer.weights]
    layer.set_weights(weights)
    kernel, bias = (weights + [None])[:2]
    return np.asarray(layer(x)), kernel, bias


def _formula(n_inputs, units, use_bias):
    return (f"{n_inputs:,} inputs × {units:,} units" + (f" + {units:,} biases" if use_bias else " (no biases)"))


def test_param_count_formula(submission):
    for n_inputs, units, use_bias in COUNT_CASES:
        layer = keras.layers.Dense(units, use_bias=use_bias)
        layer.build((None, n_inputs))
        expected = int(sum(np.prod(w.shape) for w in layer.weights))
        call = f"dense_param_count({n_inputs}, {units}, use_bias={use_bias})"
        got = expect_integer(call, submission.call("dense_param_count", n_inputs, units, use_bias=use_bias))
        if got != expected:
            hint = "did you forget the biases — one per unit?" if got == n_inputs * units else (
                "use_bias=False means no bias vector" if got == n_inputs * units + units else
                "count one weight per (input, unit) pair, plus one bias per unit when use_bias is True")
            raise CheckFailure(
                f"{call} returned {fmt_int(got)}; expected {fmt_int(expected)} = {_formula(n_inputs, units, use_bias)}",
                expected=fmt_int(expected), got=fmt_int(got), hint=hint,
            )


def _check_forward(submission, x, units, activation, use_bias, what):
    expected, kernel, bias = _keras_dense(x, units, activation, use_bias)
    with np.errstate(all="ignore"):
        result = submission.call("dense_forward", x, kernel, bias, activation=activation)
    got = expect_array(f"dense_forward on {what}", result)
    expect_close(
        f"dense_forward on {what}", got, expected, atol=1e-4,
        why=f"keras.layers.Dense({units}, activation={activation!r}, use_bias={use_bias}) computes "
        "activation(x @ kernel + bias)",
        hint="multiply x by the kernel (x @ kernel), add the bias, then apply the activation",
    )


def test_forward_matches_keras_dense(submission):
    x = generator(1).normal(size=(4, 6)).astype("float32")
    _check_forward(submission, x, 3, None, True, "a (4, 6) batch")


def test_forward_applies_relu(submission):
    x = generator(2).normal(size=(5, 4)).astype("float32")
    _check_forward(submission, x, 7, "relu", True, "a (5, 4) batch with activation='relu'")


def test_forward_without_bias(submission):
    x = generator(3).normal(size=(3, 5)).astype("float32")
    _check_forward(submission, x, 2, None, False, "a (3, 5) batch with bias=None")


def test_last_axis_rule_on_rank3_input(submission):
    x = generator(4).normal(size=(2, 5, 3)).astype("float32")
    expected, kernel, bias = _keras_dense(x, 4)
    with np.errstate(all="ignore"):
        got = expect_array("dense_forward on a (2, 5, 3) input", submission.call("dense_forward", x, kernel, bias))
    if got.shape != (2, 5, 4):
        raise CheckFailure(
            f"dense_forward on a (2, 5, 3) input returned shape {got.shape}; expected (2, 5, 4)",
            expected="(2, 5, 4)", got=str(got.shape),
            why="Dense acts on the LAST axis of an input of any rank: (batch, 5, 3) → Dense(4) → (batch, 5, 4)",
            hint="x @ kernel already contracts the last axis; don't reshape or flatten x",
        )
    expect_close("dense_forward on a (2, 5, 3) input", got, expected, atol=1e-4,
                 why="each of the 5 positions is transformed by the same kernel")
