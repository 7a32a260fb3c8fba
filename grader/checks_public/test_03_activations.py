"""Exercise 3 — Activations and logits."""

import keras
import numpy as np
import pytest

from grader.checks import CheckFailure, expect_array, expect_close
from grader.checks.inputs import generator

pytestmark = pytest.mark.exercise("03")


def _call(submission, name, array, **kwargs):
    """Call the learner's function on a copy, so a function that overwrites its input cannot change
    the reference values the check compares against."""
    given = np.array(array, copy=True)
    with np.errstate(all="ignore"):
        result = submission.call(name, given, **kwargs)
    if not np.array_equal(given, array) and np.shares_memory(np.asarray(result), given):
        raise CheckFailure(
            f"{name}() overwrote the array it was given",
            why="callers keep using their logits after computing probabilities from them",
            hint="compute into a new array instead of modifying the array it was given",
        )
    return result


def test_relu_matches_keras(submission):
    x = np.array([[-3.0, -0.5, 0.0, 0.25, 2.0, 1000.0]])
    got = expect_array("relu(x)", _call(submission, "relu", x), shape=x.shape)
    if set(np.unique(got)) <= {0.0, 1.0}:
        raise CheckFailure(
            "relu returns only 0s and 1s",
            expected="relu(2.0) = 2.0 and relu(1000.0) = 1000.0", got=f"relu(2.0) = {got[0, 4]:g} and relu(1000.0) = "
            f"{got[0, 5]:g}",
            why="ReLU is max(0, x): continuous and unbounded above, not a fire (1) / don't fire (0) switch",
            hint="ReLU keeps positive values and replaces each negative one by 0, element by element",
        )
    expect_close("relu(x)", got, np.asarray(keras.activations.relu(x)), why="relu(x) = max(0, x)")


def test_softmax_matches_keras(submission):
    logits = generator(5).normal(scale=3.0, size=(4, 10))
    got = expect_array("softmax(logits)", _call(submission, "softmax", logits), shape=logits.shape)
    expect_close("softmax(logits)", got, np.asarray(keras.activations.softmax(logits)), atol=1e-6,
                 why="softmax(z)_i = exp(z_i) / Σ_j exp(z_j) along the last axis",
                 hint="normalise along axis=-1 (each row sums to 1)")
    got0 = expect_array("softmax(logits, axis=0)", _call(submission, "softmax", logits, axis=0),
                        shape=logits.shape)
    expect_close("softmax(logits, axis=0)", got0, np.asarray(keras.activations.softmax(logits, axis=0)),
                 atol=1e-6, hint="use the `axis` argument for the max and the sum (keepdims=True)")


def test_softmax_is_stable_for_huge_logits(submission):
    logits = np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4 + 1.0], [1e4, 1e4, 1e4]])
    got = expect_array("softmax of logits ±1e4", _call(submission, "softmax", logits), shape=logits.shape)
    if not np.all(np.isfinite(got)):
        row = int(np.argwhere(~np.isfinite(got))[0][0])
        raise CheckFailure(
            f"softmax of logits ±1e4 returns NaN or inf (in row {row} of 3, whose largest logit is {logits[row].max():g})",
            expected="finite probabilities that sum to 1 in every row",
            got=f"{int(np.count_nonzero(~np.isfinite(got)))} NaN or infinite values",
            why="exp(10000) overflows float64; softmax(z) = softmax(z − max(z)) avoids it",
            hint="subtract the row maximum before np.exp",
        )
    expect_close("softmax of logits ±1e4", got, np.asarray(keras.activations.softmax(logits)), atol=1e-6,
                 why="softmax(z) = softmax(z − max(z)): shifting all logits changes nothing")


def test_predict_classes_is_argmax_of_logits(submission):
    logits = generator(6).normal(size=(8, 10))
    logits[0, 3] = 50.0
    got = _call(submission, "predict_classes", logits)
    array = expect_array("predict_classes(logits)", got)
    if array.shape != (8,):
        raise CheckFailure(f"predict_classes on 8 rows returned shape {array.shape}; expected (8,)",
                           hint="take the argmax over the last axis: one class id per row")
    if not np.issubdtype(np.asarray(got).dtype, np.integer):
        raise CheckFailure("predict_classes returned non-integer values",
                           expected="integer class ids 0–9", got=str(np.asarray(got).dtype),
                           hint="np.argmax returns integers; don't return probabilities")
    expected = np.argmax(logits, axis=-1)
    wrong = int(np.argmax(array != expected))
    if not np.array_equal(array, expected):
        raise CheckFailure("predict_classes does not pick the largest logit of each row",
                           expected=f"class {int(expected[wrong])} for row {wrong}",
                           got=f"class {int(array[wrong])} ({int(np.count_nonzero(array != expected))} of 8 rows differ)",
                           why="softmax is monotonic, so argmax(logits) = argmax(softmax(logits))",
                           hint="the predicted class is the position of the largest logit in each row (the last axis)")
