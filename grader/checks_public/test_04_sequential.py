"""Exercise 4 — The source text's model: Flatten (28, 28) → Dense(128, relu) → Dense(10) logits.

The model is read in normal form (grader.checks.layerlist): an activation layer after a Dense counts
as that Dense's activation, nested models and InputLayer do not matter, a Reshape that flattens is a
Flatten. The layer check reports the first real difference; the per-layer checks run only once the
layer list is right, so one mistake gives one message.
"""

import numpy as np
import pytest

from grader.checks import (
    CheckFailure,
    NotChecked,
    count_params,
    ensure_built,
    expect_equal_shape,
    expect_model,
    expect_param_count,
    fmt_shape,
    predict_numpy,
)
from grader.checks.inputs import generator
from grader.checks.introspect import declared_input_shape
from grader.checks.layerlist import (
    LayerList,
    Spec,
    expect_same_layer_list,
    expected_pairs,
    first_divergence,
    layer_list,
)

pytestmark = pytest.mark.exercise("04")

INPUT = (28, 28)
SPECS = [Spec("Flatten"), Spec("Dense", 128, "relu"), Spec("Dense", 10)]
EXPECTED = {  # per expected step: output shape, parameters, formula
    0: ((None, 784), 0, "nothing to learn: Flatten only rearranges 28 × 28 values"),
    1: ((None, 128), 100_480, "784 inputs × 128 units + 128 biases"),
    2: ((None, 10), 1_290, "128 inputs × 10 units + 10 biases"),
}


@pytest.fixture
def model(submission, notes):
    built = expect_model(submission.call("build_model"), "build_model()")
    return ensure_built(built, INPUT, notes)


def read_layers(model, notes) -> LayerList:
    """The model's layer list in normal form, or the failure that says why it cannot be read."""
    declared = declared_input_shape(model)
    if declared is not None and tuple(declared[1:]) != INPUT:
        raise CheckFailure(
            f"the model takes inputs of shape {fmt_shape(declared)}; the grader gives it images of shape "
            f"{fmt_shape((None, *INPUT))}",
            why="MNIST images are 28 × 28; the Flatten layer does the reshaping inside the model",
            hint="declare the input shape as the image's shape, (28, 28)",
        )
    found = layer_list(model, INPUT)
    notes.extend(found.notes)
    return found


@pytest.fixture
def layers(model):
    """The layer list for the checks after the layer check: when it cannot be read, the layer check has
    said why, and these are not checked."""
    try:
        return read_layers(model, [])
    except CheckFailure:
        raise NotChecked("the grader cannot read the model's layers (see the layer check above)") from None


def test_layer_types(model, notes):
    divergence = first_divergence(read_layers(model, notes), SPECS)
    if divergence is not None:
        raise divergence


def test_output_shape_of_each_layer(layers):
    expect_same_layer_list(layers, SPECS)
    for position, (step, spec) in enumerate(expected_pairs(layers, SPECS)):
        expect_equal_shape(f"the {spec.describe()} layer's output", step.output_shape, EXPECTED[position][0],
                           hint="the batch dimension is None; the rest follows from the layer sizes")


def test_parameter_counts(model, layers):
    expect_same_layer_list(layers, SPECS)
    for position, (step, spec) in enumerate(expected_pairs(layers, SPECS)):
        _, expected, formula = EXPECTED[position]
        hint = None
        if step.kind == "Dense" and not step.use_bias:
            hint = "is `use_bias=False` set? Dense layers here keep their biases"
        expect_param_count(f"the {spec.describe()} layer", step.params, expected, formula=formula, hint=hint)
    expect_param_count("the model", count_params(model), 101_770, formula="0 + 100,480 + 1,290")


def test_hidden_layer_uses_relu(layers):
    hidden = next((step for step in layers.steps if step.kind == "Dense"), None)
    if hidden is None:
        raise CheckFailure("the model has no Dense layer", hint="the hidden layer is a Dense layer of 128 units")
    if hidden.activation != "relu":
        raise CheckFailure(
            f"the hidden Dense layer uses activation {hidden.activation!r}; expected 'relu'",
            expected="relu", got=hidden.activation,
            why="without a non-linearity two Dense layers collapse into one linear map",
            hint="give the hidden layer the ReLU activation",
        )


def test_outputs_are_logits(model, layers):
    x = generator(0).uniform(size=(16, *INPUT)).astype("float32")
    out = predict_numpy(model, x)
    last = layers.steps[-1] if layers.steps else None
    name = last.activation if last is not None else "linear"
    looks_like_probabilities = bool(np.all(out >= 0) and np.allclose(out.sum(axis=-1), 1.0, atol=1e-4))
    if name == "softmax" or looks_like_probabilities:
        raise CheckFailure(
            f"the model outputs shape {fmt_shape((None, *out.shape[1:]))} after a softmax; this exercise "
            "expects logits — remove the activation from the last layer",
            why="the loss SparseCategoricalCrossentropy(from_logits=True) applies the softmax itself, "
            "in a numerically stable way",
            hint="the last layer needs no activation at all",
        )
    if name != "linear":
        raise CheckFailure(
            f"the last layer applies {name!r}; logits need no activation",
            expected="Dense(10) (linear)", got=f"Dense(10, activation={name!r})",
            why=f"{name} limits what the outputs can be; logits are any real numbers",
            hint="remove the activation from the last Dense",
        )
