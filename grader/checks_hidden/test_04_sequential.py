"""Exercise 4 — hidden checks."""

import keras
import numpy as np
import pytest

from grader.checks import CheckFailure, NotChecked, ensure_built, expect_model, predict_numpy, variables_of
from grader.checks.inputs import generator

pytestmark = pytest.mark.exercise("04")


def test_hidden_forward_pass_matches_reference(submission, notes):
    """Copy the learner's weights into the reference model: the outputs must be identical."""
    model = ensure_built(expect_model(submission.call("build_model"), "build_model()"), (28, 28), notes)
    reference = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                                  keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10)])
    weights = [np.asarray(v) for v in variables_of(model)]
    if [w.shape for w in weights] != [tuple(v.shape) for v in reference.weights]:
        raise NotChecked("the model's weights do not have the reference shapes (see the layer check)")
    reference.set_weights(weights)
    x = generator(14).uniform(size=(8, 28, 28)).astype("float32")
    if not np.allclose(predict_numpy(model, x), predict_numpy(reference, x), atol=1e-5):
        raise CheckFailure("the model computes something other than Flatten → Dense(128, relu) → Dense(10)")
