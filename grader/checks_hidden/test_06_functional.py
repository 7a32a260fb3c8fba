"""Exercise 6 — hidden checks."""

import keras
import numpy as np
import pytest

from grader.checks import (
    CheckFailure,
    assign_random,
    copy_weights,
    ensure_built,
    expect_model,
    predict_numpy,
    single_output,
    variables_with_shape,
)
from grader.checks.inputs import generator

pytestmark = pytest.mark.exercise("06")


def test_hidden_functional_model_matches_reference(submission, notes):
    """The learner's weights in the reference model give the learner's outputs."""
    model = ensure_built(expect_model(submission.call("build_functional_model"), "build_functional_model()"),
                         (28, 28), notes)
    reference = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                                  keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10)])
    copy_weights(model, reference, source_label="your model", target_label="the reference model")
    x = generator(61).uniform(size=(8, 28, 28)).astype("float32")
    if not np.allclose(predict_numpy(model, x), predict_numpy(reference, x), atol=1e-5):
        raise CheckFailure("the model computes something other than Flatten → Dense(128, relu) → Dense(10)")


def test_hidden_two_input_model_matches_reference(submission):
    """relu(image·K1 + b1) and relu(extra·K2 + b2), concatenated in either order, then ·K3 + b3."""
    model = expect_model(submission.call("build_two_input_model"), "build_two_input_model()")
    assign_random(model, seed=62)
    kernels = {shape: variables_with_shape(model, shape) for shape in [(784, 64), (64,), (8, 16), (16,), (80, 10), (10,)]}
    if any(len(found) != 1 for found in kernels.values()):
        raise CheckFailure("the two-input model does not have the weights of the asked layers")
    k1, b1, k2, b2, k3, b3 = (np.asarray(found[0]) for found in kernels.values())
    rng = generator(63)
    image = rng.uniform(size=(8, 28, 28)).astype("float32")
    extra = rng.uniform(size=(8, 8)).astype("float32")
    try:
        got = np.asarray(single_output(model({"image": image, "extra": extra}, training=False)))
    except Exception as error:  # noqa: BLE001
        raise CheckFailure(f"the model cannot be fed a dict keyed by input name ({type(error).__name__})") from None
    a = np.maximum(image.reshape(8, -1) @ k1 + b1, 0)
    b = np.maximum(extra @ k2 + b2, 0)
    candidates = [np.concatenate(parts, axis=1) @ k3 + b3 for parts in ([a, b], [b, a])]
    if not any(np.allclose(got, expected, atol=1e-4) for expected in candidates):
        raise CheckFailure("the two-input model computes something other than the asked graph")
