"""Exercise 1 — Flatten any input."""

from math import prod

import numpy as np
import pytest

from grader.checks import (
    CheckFailure,
    count_params,
    ensure_built,
    expect_equal_shape,
    expect_integer,
    expect_model,
    model_output_shape,
    predict_numpy,
)

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


def _model(submission, shape, notes):
    model = expect_model(submission.call("build_flatten_model", shape), f"build_flatten_model({shape})")
    return ensure_built(model, shape, notes)


def test_output_shape_for_each_input_shape(submission, notes):
    for shape in SHAPES:
        model = _model(submission, shape, notes)
        expect_equal_shape(
            f"the output of build_flatten_model({shape})", model_output_shape(model, shape), (None, prod(shape)),
            why=f"Flatten keeps the batch axis and joins the rest: {' × '.join(map(str, shape))} = {prod(shape)}",
            hint="start from an Input of the given shape and flatten it; `course hint 1 --more` names the API",
        )


def test_flatten_has_no_parameters(submission, notes):
    model = _model(submission, (28, 28), notes)
    params = count_params(model)
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
    model = _model(submission, shape, notes)
    x = np.arange(2 * prod(shape), dtype="float32").reshape(2, *shape)
    got = predict_numpy(model, x)
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
