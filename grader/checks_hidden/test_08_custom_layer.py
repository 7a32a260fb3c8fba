"""Exercise 8 — hidden checks."""

import json

import keras
import numpy as np
import pytest

from grader.checks import CheckFailure, model_output_shape

pytestmark = pytest.mark.exercise("08")


def test_hidden_config_activation_is_a_string(submission):
    cls = submission.get("MyDense", "class")
    layer = submission.invoke(cls, "MyDense(3, activation=keras.activations.relu)", 3,
                              activation=keras.activations.relu)

    def get_config():
        try:
            return layer.get_config()
        except NotImplementedError as error:
            if str(error):
                raise CheckFailure("get_config() fails when the activation is passed as a function") from None
            raise

    config = submission.invoke(get_config, "MyDense(3, activation=keras.activations.relu).get_config()")
    if not isinstance(config, dict) or config.get("activation") != "relu":
        got = config.get("activation") if isinstance(config, dict) else config
        raise CheckFailure("the config does not store the activation as the string 'relu'",
                           expected="'relu'", got=repr(got)[:80])
    try:
        json.dumps(config)
    except TypeError as error:
        raise CheckFailure(f"the config cannot be written as JSON ({error})") from None


def test_hidden_accepts_keras_keyword_arguments(submission):
    cls = submission.get("MyDense", "class")
    layer = submission.invoke(cls, "MyDense(3, name='mine')", 3, name="mine")
    if layer.name != "mine":
        raise CheckFailure("MyDense(3, name='mine') ignores name=", expected="mine", got=layer.name)
    label = "keras.Sequential([keras.Input(shape=(5, 4)), MyDense(3)])"
    model = submission.invoke(keras.Sequential, label, [keras.Input(shape=(5, 4)), layer])
    shape = model_output_shape(model, (5, 4))
    if shape != (None, 5, 3):
        raise CheckFailure("MyDense(3) inside a model on (5, 4) input does not output (None, 5, 3)", got=shape)
    out = np.asarray(submission.invoke(model, f"{label}(x)", np.ones((2, 5, 4), dtype="float32")))
    if out.shape != (2, 5, 3) or not np.all(np.isfinite(out)):
        raise CheckFailure("MyDense(3) inside a Sequential model gives wrong outputs", got=out.shape)
