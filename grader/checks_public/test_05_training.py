"""Exercise 5 — Compile and fit: the grader trains the lesson-4 model with your settings."""

import keras
import pytest

from grader.checks import CheckFailure
from grader.checks.losses import compiled_loss, expect_cross_entropy
from grader.checks.training import (
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
            hint="call model.compile inside compile_model, with an optimizer, a loss and metrics",
        )
    weights = model.get_compile_config().get("loss_weights") if hasattr(model, "get_compile_config") else None
    if isinstance(weights, (list, tuple)) and any(isinstance(w, str) for w in weights):
        raise CheckFailure(
            f"compile received loss_weights={list(weights)!r}",
            why="in Keras 3 the third positional argument of compile() is loss_weights, not metrics",
            hint='pass the metrics by keyword (metrics=...), not as the third positional argument',
        )
    return model


def test_recipe_is_valid(submission, exercise):
    validate_recipe(submission.call("training_recipe"), "training_recipe()", int(exercise.extra["max_epochs"]))


def test_compile_sets_optimizer(compiled):
    if not isinstance(compiled.optimizer, keras.optimizers.Optimizer):
        raise CheckFailure("the model has no Keras optimizer after compile_model(model)",
                           got=type(compiled.optimizer).__name__, hint='give compile an optimizer, e.g. Adam')


def test_loss_treats_outputs_as_logits(compiled):
    expect_cross_entropy(compiled_loss(compiled), outputs_are_logits=True)


def test_held_out_accuracy_reaches_threshold(submission, compiled, exercise, dataset, notes):
    recipe = validate_recipe(submission.call("training_recipe"), "training_recipe()",
                             int(exercise.extra["max_epochs"]))
    expect_trained_accuracy(compiled, submission, dataset, recipe, exercise, notes)
