"""Exercise 9 — A Model of your own: `MLPClassifier` with Dropout and a `training` flag."""

import keras
import numpy as np
import pytest

from grader.checks import (
    CheckFailure,
    api_of,
    count_params,
    ensure_built,
    expect_equal_shape,
    expect_param_count,
    model_output_shape,
)
from grader.manifest import load_course

pytestmark = pytest.mark.exercise("09")

INPUT = (28, 28)


@pytest.fixture
def mlp_class(submission):
    cls = submission.get("MLPClassifier", "class")
    if not (isinstance(cls, type) and issubclass(cls, keras.Model)):
        raise CheckFailure("`MLPClassifier` is not a subclass of keras.Model",
                           expected="class MLPClassifier(keras.Model)", got=repr(cls)[:80])
    return cls


def make(submission, cls, notes, **kwargs):
    label = "MLPClassifier(" + ", ".join(f"{k}={v!r}" for k, v in kwargs.items()) + ")"
    model = submission.invoke(cls, label, **kwargs)
    return ensure_built(model, INPUT, notes), label


def run(submission, model, label, x, training):
    return np.asarray(submission.invoke(model, f"{label}(x, training={training})", x, training=training))


def sample_batch() -> np.ndarray:
    return np.random.default_rng(9).uniform(size=(8, *INPUT)).astype("float32")


def test_is_a_keras_model_subclass(submission, mlp_class):
    model = submission.invoke(mlp_class, "MLPClassifier()")
    got = api_of(model)
    if got != "subclassed":
        raise CheckFailure(
            f"MLPClassifier() builds a {got} model; this exercise asks for a subclass with its own call()",
            expected="layers created in __init__, wired in call(self, inputs, training=None)", got=got,
            hint="don't pass inputs/outputs to super().__init__; write the forward pass in call()",
        )


def test_output_shape(submission, mlp_class, notes):
    model, label = make(submission, mlp_class, notes)
    expect_equal_shape(f"the output of {label}", model_output_shape(model, INPUT), (None, 10),
                       why="Dense(num_classes) outputs one logit per class; num_classes defaults to 10",
                       hint="the last layer is layers.Dense(num_classes), with no activation")


def test_parameter_count_with_defaults(submission, mlp_class, notes):
    model, label = make(submission, mlp_class, notes)
    expect_param_count(label, count_params(model), 101_770,
                       formula="(784·128 + 128) + (128·10 + 10) = 100,480 + 1,290; Flatten and Dropout have none",
                       hint="Dense(hidden_units, activation='relu') then Dense(num_classes), created in __init__")


def test_constructor_arguments_are_honoured(submission, mlp_class, notes):
    model, label = make(submission, mlp_class, notes, hidden_units=32)
    expect_param_count(label, count_params(model), 25_450,
                       formula="(784·32 + 32) + (32·10 + 10) = 25,120 + 330",
                       hint="use the hidden_units argument for the hidden Dense layer, not a fixed 128")
    model, label = make(submission, mlp_class, notes, num_classes=5)
    expect_equal_shape(f"the output of {label}", model_output_shape(model, INPUT), (None, 5),
                       why="Dense(num_classes) outputs num_classes logits",
                       hint="use the num_classes argument for the last Dense layer")


def test_inference_is_deterministic(submission, mlp_class, notes):
    model, label = make(submission, mlp_class, notes)
    x = sample_batch()
    first, second = run(submission, model, label, x, False), run(submission, model, label, x, False)
    if not np.array_equal(first, second):
        raise CheckFailure(
            f"{label} gives different outputs for the same input with training=False",
            expected="identical outputs at inference", got="outputs that change from call to call",
            why="Dropout only drops units while training; at inference it passes its input through unchanged",
            hint="pass the flag on: self.dropout(x, training=training) — not training=True",
        )


def test_training_differs_from_inference(submission, mlp_class, notes):
    model, label = make(submission, mlp_class, notes)
    x = sample_batch()
    inference = run(submission, model, label, x, False)
    keras.utils.set_random_seed(load_course().seed)
    training = run(submission, model, label, x, True)
    if training.shape == inference.shape and np.allclose(training, inference):
        raise CheckFailure(
            f"{label} gives the same outputs with training=True as at inference",
            expected="Dropout(0.5) active when training=True, so the outputs differ",
            got="identical outputs",
            why="with training=True Dropout zeroes about half of the hidden units and scales the rest by 2",
            hint="create layers.Dropout(dropout_rate) in __init__ and call it as self.dropout(x, training=training)",
        )
