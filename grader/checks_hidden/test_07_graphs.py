"""Exercise 7 — hidden checks."""

import keras
import numpy as np
import pytest

from grader.checks import (
    CheckFailure,
    copy_weights,
    expect_model,
    predict_numpy,
    temporarily_assigned,
    variables_with_shape,
)

pytestmark = pytest.mark.exercise("07")


def _reference_residual() -> keras.Model:
    inputs = keras.Input(shape=(784,))
    x = keras.layers.Dense(64, activation="relu")(inputs)
    h = keras.layers.Dense(64)(keras.layers.Dense(64, activation="relu")(x))
    x = keras.layers.Activation("relu")(keras.layers.Add()([x, h]))
    return keras.Model(inputs, keras.layers.Dense(10)(x))


def test_hidden_residual_matches_reference(submission):
    model = expect_model(submission.call("build_residual_mlp"), "build_residual_mlp()")
    reference = _reference_residual()
    copy_weights(model, reference, source_label="your residual model", target_label="the reference model")
    x = np.random.default_rng(71).normal(size=(8, 784)).astype("float32")
    got = submission.invoke(predict_numpy, "build_residual_mlp()(x)", model, x)
    if not np.allclose(got, predict_numpy(reference, x), atol=1e-4):
        raise CheckFailure("the residual model computes something other than "
                           "relu(x + Dense(Dense_relu(x))) → Dense(10) with x = Dense_relu(input)")


def test_hidden_heads_share_the_trunk(submission):
    model = expect_model(submission.call("build_two_headed_model"), "build_two_headed_model()")
    kernels = variables_with_shape(model, (784, 64))
    if len(kernels) != 1:
        raise CheckFailure(f"the two-headed model holds {len(kernels)} trunk kernels of shape (784, 64); "
                           "expected one trunk shared by both heads")
    x = np.random.default_rng(72).uniform(size=(6, 28, 28)).astype("float32")
    with temporarily_assigned(kernels[0], np.zeros((784, 64), dtype="float32")):
        outputs = submission.invoke(model, "build_two_headed_model()(x)", x, training=False)
    for output in keras.tree.flatten(outputs):
        array = np.asarray(output)
        if not np.allclose(array, array[:1], atol=1e-6):
            raise CheckFailure("a head of the two-headed model does not sit on the shared trunk")
