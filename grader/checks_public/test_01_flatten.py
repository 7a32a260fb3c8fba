"""Exercise 1 — Flatten any input."""

from math import prod

import numpy as np
import pytest

from grader.checks import (
    CheckFailure,
    Facts,
    Ref,
    Scenario,
    expect_equal_shape,
    expect_integer,
    parameter_count,
)
from grader.checks.introspect import built_note

pytestmark = pytest.mark.exercise("01")

SHAPES = [(28, 28), (8, 8), (5, 3, 2), (7,), (2, 3, 4, 5)]


def test_flat_length_is_product_of_dimensions(submission):
    for shape in SHAPES:
        got = expect_integer(f"flat_length({shape})", submission.call("flat_length", shape))
        if got != prod(shape):
            raise CheckFailure(
                f"flat_length({shape}) returned {got:,}; expected {prod(shape):,}",
                expected=f"{prod(shape):,} = {' × '.join(map(str, shape))}", got=f"{got:,}",
                why="one flattened example holds every value of the example: the product of its dimensions",
                hint="the batch axis is not part of input_shape; multiply all the given dimensions",
            )


def built_model(scenario: Scenario, shape: tuple, label: str | None = None) -> tuple[Ref, Ref]:
    """Steps: the model `build_flatten_model(shape)` returns, built on a `(1, *shape)` batch if it has no
    weights yet. The model is observed through a scenario, so batch grading judges even a model it
    cannot rebuild (a subclassed model, a Lambda layer) by what it computes."""
    model = scenario.learner_model("build_flatten_model", shape, label=label)
    return model, scenario.build(model, shape)


def note_built(facts: Facts, built: Ref, shape: tuple, notes: list[str]) -> None:
    """Note that the grader built the model (raises the model's failure if it could not be built)."""
    if facts[built] and built_note(shape) not in notes:
        notes.append(built_note(shape))


def test_output_shape_for_each_input_shape(submission, notes):
    scenario, steps = Scenario(), []
    for shape in SHAPES:
        model, built = built_model(scenario, shape)
        steps.append((shape, built, scenario.output_shape(model, shape)))
    facts = submission.run(scenario)
    for shape, built, output in steps:
        note_built(facts, built, shape, notes)
        expect_equal_shape(
            f"the output of build_flatten_model({shape})", tuple(facts[output]), (None, prod(shape)),
            why=f"Flatten keeps the batch axis and joins the rest: {' × '.join(map(str, shape))} = {prod(shape)}",
            hint="start from an Input of the given shape and flatten it; `course hint 1 --more` names the API",
        )


def test_flatten_has_no_parameters(submission, notes):
    scenario = Scenario()
    model, built = built_model(scenario, (28, 28))
    weights = scenario.variables(model)
    facts = submission.run(scenario)
    note_built(facts, built, (28, 28), notes)
    params = parameter_count(facts[weights])
    if params != 0:
        raise CheckFailure(
            f"build_flatten_model((28, 28)) has {params:,} parameters; expected 0",
            expected="0", got=f"{params:,}",
            why="Flatten only rearranges values; it has nothing to learn",
            hint="the model should contain only an Input and a Flatten — no Dense layer",
        )


def first_wrong(got: np.ndarray, expected: np.ndarray) -> int:
    """The first position of the first example where the flattened values differ from row-major order."""
    return int(np.argmax(got[0] != expected[0]))


def test_row_major_order_is_preserved(submission, notes):
    shape = (3, 4, 2)
    x = np.arange(2 * prod(shape), dtype="float32").reshape(2, *shape)
    scenario = Scenario()
    model, built = built_model(scenario, shape)
    output = scenario.predict(model, x)
    facts = submission.run(scenario)
    note_built(facts, built, shape, notes)
    got = np.asarray(facts[output])
    expected = x.reshape(2, -1)
    if got.shape != expected.shape:
        raise CheckFailure(f"the model turned a batch of shape {x.shape} into {got.shape}; expected "
                           f"{expected.shape}", expected=expected.shape, got=got.shape)
    if not np.array_equal(got, expected):
        raise CheckFailure(
            "the flattened values are not in row-major (C) order",
            expected="output position 1 holds x[0, 0, 1] (the last axis varies fastest)",
            got=f"output position {first_wrong(got, expected)} holds another element than row-major order puts there",
            why="Flatten reads each example like text: the last axis varies fastest",
            hint="don't transpose or permute before flattening; Flatten alone keeps the order",
        )
