"""Exercise 7 — hidden checks."""

import keras
import numpy as np
import pytest

from grader.checks import (
    CheckFailure,
    every_matching,
    expect_model,
    predict_numpy,
    temporarily_assigned,
    variables_with_shape,
)
from grader.checks.inputs import generator

pytestmark = pytest.mark.exercise("07")


def _reference_residual(join_relu: bool = True, block_relu: bool = False, skip: bool = True) -> keras.Model:
    """The exercise's residual MLP; the flags make the typical wrong graphs, with the same weights."""
    inputs = keras.Input(shape=(784,))
    x = keras.layers.Dense(64, activation="relu")(inputs)
    h = keras.layers.Dense(64, activation="relu" if block_relu else None)(keras.layers.Dense(64, activation="relu")(x))
    joined = keras.layers.Add()([x, h]) if skip else h
    x = keras.layers.Activation("relu" if join_relu else "linear")(joined)
    return keras.Model(inputs, keras.layers.Dense(10)(x))


# What a residual model that matches one of these graphs gets wrong, and how to fix it.
RESIDUAL_MISTAKES = [
    ({"join_relu": False}, "it leaves out the ReLU after the join: it computes (x + block(x)) → Dense(10)",
     "the exercise's graph applies ReLU to the sum, before the last Dense", "add a ReLU after the Add"),
    ({"block_relu": True}, "its block ends with a ReLU: it adds relu(Dense(...)) to the skip, not the plain Dense",
     "the block's last Dense has no activation; the ReLU comes after the sum",
     "leave the block's second Dense(64) without an activation"),
    ({"skip": False}, "it has no skip connection: the block's output is not added to the block's input",
     "a residual block outputs x + block(x); without the join it is a plain chain of layers",
     "add the block's output to its input (layers.Add, keras.ops.add or +)"),
]


def test_hidden_residual_matches_reference(submission):
    """The learner's weights in the reference give the learner's outputs, under some pairing of its weights
    with the reference's (its block's two Dense(64) may list their weights in either order)."""
    model = expect_model(submission.call("build_residual_mlp"), "build_residual_mlp()")
    reference = _reference_residual()
    wrongs = [(_reference_residual(**flags), mistake, why, hint) for flags, mistake, why, hint in RESIDUAL_MISTAKES]
    x = generator(71).normal(size=(8, 784)).astype("float32")
    got = submission.invoke(predict_numpy, "build_residual_mlp()(x)", model, x)
    found = None
    for pairs in every_matching(model, reference, source_label="your residual model",
                                target_label="the reference model"):
        for source, target in pairs:
            target.assign(np.asarray(source))
        if np.allclose(got, predict_numpy(reference, x), atol=1e-4):
            return
        for wrong, mistake, why, hint in wrongs if found is None else ():
            wrong.set_weights(reference.get_weights())
            if np.allclose(got, predict_numpy(wrong, x), atol=1e-4):
                found = (mistake, why, hint)
                break
    expected = "relu(x + Dense(Dense_relu(x))) → Dense(10) with x = Dense_relu(input)"
    if found is not None:
        mistake, why, hint = found
        raise CheckFailure(f"the residual model computes something other than {expected}: {mistake}",
                           why=why, hint=hint)
    raise CheckFailure(f"the residual model computes something other than {expected}")


def test_hidden_heads_share_the_trunk(submission):
    model = expect_model(submission.call("build_two_headed_model"), "build_two_headed_model()")
    kernels = variables_with_shape(model, (784, 64))
    if len(kernels) != 1:
        raise CheckFailure(f"the two-headed model holds {len(kernels)} trunk kernels of shape (784, 64); "
                           "expected one trunk shared by both heads")
    x = generator(72).uniform(size=(6, 28, 28)).astype("float32")
    with temporarily_assigned(kernels[0], np.zeros((784, 64), dtype="float32")):
        outputs = submission.invoke(model, "build_two_headed_model()(x)", x, training=False)
    for output in keras.tree.flatten(outputs):
        array = np.asarray(output)
        if not np.allclose(array, array[:1], atol=1e-6):
            raise CheckFailure("a head of the two-headed model does not sit on the shared trunk")
