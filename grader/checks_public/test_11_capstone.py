"""Exercise 11 — Capstone: a classifier under a parameter budget, trained by the grader to a threshold."""

import keras
import numpy as np
import pytest

from grader.checks import (
    CheckFailure,
    count_params,
    describe_layer,
    ensure_built,
    expect_equal_shape,
    expect_model,
    fmt_int,
    layers_of,
    model_output_shape,
    predict_numpy,
)
from grader.checks.inputs import generator
from grader.checks.losses import compiled_loss, expect_cross_entropy
from grader.checks.training import (
    expect_trained_accuracy,
    seed_everything,
    validate_recipe,
    with_fresh_weights,
)
from grader.manifest import load_course

pytestmark = pytest.mark.exercise("11")

INPUT = tuple(load_course().find("11").extra["input_shape"])  # (28, 28)


def build(submission, notes) -> keras.Model:
    return ensure_built(expect_model(submission.call("build_model"), "build_model()"), INPUT, notes)


def budget(exercise) -> int:
    return int(exercise.extra["param_budget"])


def expect_within_budget(model: keras.Model, limit: int) -> int:
    total = count_params(model)
    if total <= limit:
        return total
    per_layer = sorted(((count_params(layer), layer) for layer in layers_of(model)), key=lambda item: -item[0])
    why = None
    if per_layer and per_layer[0][0]:
        biggest, layer = per_layer[0]
        why = (f"{describe_layer(layer)} alone holds {fmt_int(biggest)} of them "
               f"({biggest / total:.1%})")
    raise CheckFailure(
        f"the model has {fmt_int(total)} parameters, over the budget of {fmt_int(limit)} by {fmt_int(total - limit)}",
        expected=f"≤ {fmt_int(limit)}", got=fmt_int(total), why=why,
        hint="a Dense layer costs (inputs + 1) · units: use fewer units, pool the image first, or a small convolutional network — see lesson 11",
    )


def compiled(submission, model: keras.Model) -> keras.Model:
    submission.call("compile_model", model)
    if not getattr(model, "compiled", False) or model.optimizer is None:
        raise CheckFailure("compile_model(model) did not compile the model",
                           hint="call model.compile inside it, with an optimizer, a loss and metrics")
    return model


def test_parameter_budget(submission, exercise, notes):
    model = build(submission, notes)
    total = expect_within_budget(model, budget(exercise))
    notes.append(f"the model has {fmt_int(total)} parameters (budget {fmt_int(budget(exercise))})")


def test_input_and_output_shape(submission, notes):
    model = build(submission, notes)
    expect_equal_shape("the model's output", model_output_shape(model, INPUT), (None, 10),
                       why="one score per digit class, for a batch of (28, 28) images",
                       hint="take (28, 28) images and end with 10 outputs, one per class")


def test_loss_matches_the_outputs(submission, notes):
    model = compiled(submission, build(submission, notes))
    sample = generator(11).uniform(size=(16, *INPUT)).astype("float32")
    outputs = submission.invoke(predict_numpy, "build_model()(x)", model, sample)
    probabilities = bool(outputs.ndim == 2 and np.all(outputs >= 0)
                         and np.allclose(outputs.sum(axis=-1), 1.0, atol=1e-4))
    expect_cross_entropy(compiled_loss(model), outputs_are_logits=not probabilities)


def test_recipe_is_valid(submission, exercise):
    validate_recipe(submission.call("training_recipe"), "training_recipe()", int(exercise.extra["max_epochs"]))


def test_held_out_accuracy_reaches_threshold(submission, exercise, dataset, notes):
    recipe = validate_recipe(submission.call("training_recipe"), "training_recipe()",
                             int(exercise.extra["max_epochs"]))
    seed_everything(load_course().seed)
    model = with_fresh_weights(build(submission, notes), load_course().seed, INPUT)  # never the returned weights
    try:
        expect_within_budget(model, budget(exercise))
    except CheckFailure as failure:
        raise CheckFailure(
            "the grader does not train a model over the parameter budget: " + failure.summary,
            expected=failure.expected, got=failure.got, why=failure.why, hint=failure.hint,
        ) from None
    model = compiled(submission, model)
    expect_trained_accuracy(model, submission, dataset, recipe, exercise, notes,
                            note_extra=f", {fmt_int(count_params(model))} parameters")
