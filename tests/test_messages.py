"""Learner messages summarise: one line of an error, shapes and dtypes instead of values."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from grader.checks.failure import NOT_CHECKED, CheckFailure, NotChecked, error_summary
from grader.checks.introspect import predict_numpy


def test_an_error_summary_is_one_line_without_array_values_or_keras_boilerplate():
    raw = ("Exception encountered when calling Sequential.call().\n\n\x1b[1mInvalid input shape for input "
           "[[[0.6369617 0.26978672 0.04097353]\n  [0.01652764 0.81327024 0.91275558]]]\x1b[0m\n\n"
           "Arguments received by Sequential.call():\n  • inputs=tf.Tensor(shape=(2, 28, 28), dtype=float32)")
    summary = error_summary(raw)
    assert summary == "Invalid input shape for input (values omitted)"


def test_a_long_keras_error_keeps_what_it_received():
    raw = "Argument `learning_rate` should be float, or an instance of LearningRateSchedule, " * 3 + \
        "Received instead: learning_rate=100 (of type <class 'int'>)"
    summary = error_summary(raw)
    assert len(summary) <= 200 and "\n" not in summary and summary.endswith("(of type <class 'int'>)")


def test_a_model_declared_for_other_inputs_is_told_in_shapes():
    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(10)])
    x = np.random.default_rng(0).uniform(size=(4, 28, 28)).astype("float32")
    with pytest.raises(CheckFailure) as failure:
        predict_numpy(model, x)
    message = str(failure.value)
    assert message.startswith("the model takes inputs of shape (None, 784); the grader gives it inputs of shape "
                              "(None, 28, 28)")
    assert "0." not in message and "[[" not in message


def test_not_checked_says_what_to_fix_first():
    assert str(NotChecked("because")).startswith(f"{NOT_CHECKED} fix the layer list first")
    assert "fix the constructor arguments first" in str(NotChecked("because", fix_first="the constructor arguments"))
