"""Exercise 4 — The source text's model: Flatten (28, 28) → Dense(128, relu) → Dense(10) logits."""

import keras
import numpy as np
import pytest

from grader.checks import (
    CheckFailure,
    activation_name,
    count_params,
    describe_layer,
    ensure_built,
    expect_equal_shape,
    expect_model,
    expect_param_count,
    fmt_shape,
    layer_output_shapes,
    layers_of,
    predict_numpy,
)

pytestmark = pytest.mark.exercise("04")

INPUT = (28, 28)
EXPECTED = [  # (kind, output shape, parameters, formula)
    ("Flatten", (None, 784), 0, "nothing to learn: Flatten only rearranges 28 × 28 values"),
    ("Dense", (None, 128), 100_480, "784 inputs × 128 units + 128 biases"),
    ("Dense", (None, 10), 1_290, "128 inputs × 10 units + 10 biases"),
]


@pytest.fixture
def model(submission, notes):
    built = expect_model(submission.call("build_model"), "build_model()")
    return ensure_built(built, INPUT, notes)


def test_layer_types(model):
    got = [type(layer).__name__ for layer in layers_of(model)]
    expected = [kind for kind, *_ in EXPECTED]
    if got != expected:
        raise CheckFailure(
            f"the model's layers are {got}; expected {expected}",
            expected=" → ".join(expected), got=" → ".join(got) or "no layers",
            why="the source text's model is a plain stack: Flatten, Dense(128, relu), Dense(10)",
            hint="keras.Sequential([keras.Input(shape=(28, 28)), Flatten(), Dense(128, ...), Dense(10)])",
        )


def test_output_shape_of_each_layer(model):
    inputs = getattr(model, "_inputs_struct", None) and model.inputs
    if inputs and tuple(inputs[0].shape) != (None, *INPUT):
        raise CheckFailure(
            f"the model expects inputs of shape {fmt_shape(inputs[0].shape)}; expected {fmt_shape((None, *INPUT))}",
            why="MNIST images are 28 × 28; Flatten does the reshaping inside the model",
            hint="keras.Input(shape=(28, 28)) (or Flatten(input_shape=(28, 28)) in the older form)",
        )
    shapes = layer_output_shapes(model, INPUT)
    for position, ((layer, got), (_kind, expected, _, _)) in enumerate(zip(shapes, EXPECTED, strict=False), start=1):
        expect_equal_shape(describe_layer(layer, position), got, expected,
                           hint="the batch dimension is None; the rest follows from the layer sizes")
    if len(shapes) != len(EXPECTED):
        raise CheckFailure(f"the model has {len(shapes)} layers; expected {len(EXPECTED)}")


def test_parameter_counts(model):
    layers = layers_of(model)
    for position, (layer, (kind, _, expected, formula)) in enumerate(zip(layers, EXPECTED, strict=False), start=1):
        got = count_params(layer)
        units = getattr(layer, "units", None)
        hint = None
        if kind == "Dense" and units and not getattr(layer, "use_bias", True):
            hint = "is `use_bias=False` set? Dense layers here keep their biases"
        elif kind == "Dense":
            hint = "check the number of units and the input the layer receives"
        expect_param_count(f"{type(layer).__name__} layer {position}", got, expected, formula=formula, hint=hint)
    total = count_params(model)
    expect_param_count("the model", total, 101_770, formula="0 + 100,480 + 1,290")


def test_hidden_layer_uses_relu(model):
    layers = layers_of(model)
    hidden = next((layer for layer in layers if isinstance(layer, keras.layers.Dense)), None)
    if hidden is None:
        raise CheckFailure("the model has no Dense layer", hint="add Dense(128, activation='relu')")
    got = activation_name(hidden)
    if got != "relu":
        raise CheckFailure(
            f"the hidden Dense layer uses activation {got!r}; expected 'relu'",
            expected="relu", got=got,
            why="without a non-linearity two Dense layers collapse into one linear map",
            hint="Dense(128, activation='relu')",
        )


def test_outputs_are_logits(model):
    last = layers_of(model)[-1]
    x = np.random.default_rng(0).uniform(size=(16, *INPUT)).astype("float32")
    out = predict_numpy(model, x)
    name = activation_name(last)
    looks_like_probabilities = bool(np.all(out >= 0) and np.allclose(out.sum(axis=-1), 1.0, atol=1e-4))
    if name == "softmax" or isinstance(last, keras.layers.Softmax) or looks_like_probabilities:
        raise CheckFailure(
            f"the model outputs shape {fmt_shape((None, *out.shape[1:]))} after a softmax; this exercise "
            "expects logits — remove the activation from the last layer",
            why="the loss SparseCategoricalCrossentropy(from_logits=True) applies the softmax itself, "
            "in a numerically stable way",
            hint="Dense(10) with no activation",
        )
    if name != "linear":
        raise CheckFailure(
            f"the last layer applies {name!r}; logits need no activation",
            expected="Dense(10) (linear)", got=f"Dense(10, activation={name!r})",
            why=f"{name} limits what the outputs can be; logits are any real numbers",
            hint="remove activation= from the last Dense",
        )
