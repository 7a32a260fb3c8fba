"""Exercise 5 — Compile and fit: the grader trains the lesson-4 model with your settings."""

import keras
import numpy as np
import pytest

from grader.checks import CheckFailure
from grader.checks.training import (
    compiled_loss_value,
    expect_trained_accuracy,
    seed_everything,
    validate_recipe,
)
from grader.manifest import load_course

pytestmark = pytest.mark.exercise("05")


def _reference_model() -> keras.Model:
    """The lesson-4 model, built by the grader so that this exercise grades only compile and fit."""
    return keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                             keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10)])


@pytest.fixture
def compiled(submission):
    seed_everything(load_course().seed)
    model = _reference_model()
    submission.call("compile_model", model)
    if not getattr(model, "compiled", False) or model.optimizer is None:
        raise CheckFailure(
            "compile_model(model) did not compile the model",
            hint="call model.compile(optimizer=..., loss=..., metrics=[...]) inside compile_model",
        )
    weights = model.get_compile_config().get("loss_weights") if hasattr(model, "get_compile_config") else None
    if isinstance(weights, (list, tuple)) and any(isinstance(w, str) for w in weights):
        raise CheckFailure(
            f"compile received loss_weights={list(weights)!r}",
            why="in Keras 3 the third positional argument of compile() is loss_weights, not metrics",
            hint='pass metrics by keyword: model.compile(optimizer=..., loss=..., metrics=["accuracy"])',
        )
    return model


def test_recipe_is_valid(submission, exercise):
    validate_recipe(submission.call("training_recipe"), "training_recipe()", int(exercise.extra["max_epochs"]))


def test_compile_sets_optimizer(compiled):
    if not isinstance(compiled.optimizer, keras.optimizers.Optimizer):
        raise CheckFailure("the model has no Keras optimizer after compile_model(model)",
                           got=type(compiled.optimizer).__name__, hint='optimizer="adam" works well')


def test_loss_treats_outputs_as_logits(compiled):
    y_true = np.array([0, 3, 9])
    logits = np.array([[4.0, -1.0, 0.5, 2.0, 0, 0, 0, 0, 0, -2.0],
                       [0.1, 0.2, 0.3, -3.0, 1, 2, 0, 0, 0, 0],
                       [-5.0, 5.0, 0, 0, 0, 0, 0, 0, 0, 1.0]], dtype="float32")
    shifted = logits - logits.max(axis=1, keepdims=True)
    expected = float(np.mean(-(shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True)))[np.arange(3), y_true]))
    got = compiled_loss_value(compiled, y_true, logits)
    if not np.isclose(got, expected, atol=1e-3):
        raise CheckFailure(
            "the loss treats the model's outputs as probabilities, but the model outputs logits",
            expected=f"cross-entropy of softmax(logits) = {expected:.4f}", got=f"{got:.4f}",
            why="Dense(10) without activation outputs logits; from_logits=True makes the loss apply softmax",
            hint="loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True)",
        )


def test_held_out_accuracy_reaches_threshold(submission, compiled, exercise, dataset, notes):
    recipe = validate_recipe(submission.call("training_recipe"), "training_recipe()",
                             int(exercise.extra["max_epochs"]))
    expect_trained_accuracy(compiled, submission, dataset, recipe, exercise, notes)
