"""Exercise 5 — hidden checks."""

import keras
import pytest

from grader.checks import CheckFailure

pytestmark = pytest.mark.exercise("05")


def test_hidden_learning_rate_is_sane(submission):
    model = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(), keras.layers.Dense(10)])
    submission.call("compile_model", model)
    if getattr(model, "optimizer", None) is None:
        raise CheckFailure("compile_model(model) did not set an optimizer")
    rate = float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))
    if not 1e-5 <= rate <= 1.0:
        raise CheckFailure("the optimizer's learning rate is outside a sane range",
                           expected="1e-5 ≤ learning rate ≤ 1", got=f"{rate:g}")
