"""Exercise 6 — The functional API: the lesson-4 model written functionally, and a two-input model."""

import keras
import numpy as np
import pytest

from grader.checks import (
    CheckFailure,
    NotChecked,
    api_of,
    count_params,
    depends_on,
    ensure_built,
    expect_api,
    expect_equal_shape,
    expect_model,
    expect_named_shapes,
    expect_param_count,
    fmt_int,
    fmt_shape,
    given_name,
    model_output_shape,
    named_inputs,
    named_outputs,
    single_output,
    structured_inputs,
)
from grader.checks.inputs import generator
from grader.checks.layerlist import Spec, first_divergence, layer_list

pytestmark = pytest.mark.exercise("06")

IMAGE, EXTRA = (28, 28), (8,)
FUNCTIONAL_HINT = (
    "start from keras.Input, call each layer on the previous tensor, and build keras.Model from the input "
    "and output tensors"
)


@pytest.fixture
def functional(submission, notes):
    model = expect_model(submission.call("build_functional_model"), "build_functional_model()")
    return ensure_built(model, IMAGE, notes)


@pytest.fixture
def two_input(submission):
    model = expect_model(submission.call("build_two_input_model"), "build_two_input_model()")
    expect_api(model, "functional", "build_two_input_model()",
               hint="a model with two inputs is a functional keras.Model given both input tensors")
    return model


def feed(model: keras.Model, image: np.ndarray, extra: np.ndarray) -> object:
    """The two arrays arranged like the model's inputs, matched by name or else by shape."""
    def pick(tensor):
        if tensor.name == "image" or (tensor.name != "extra" and tuple(tensor.shape[1:]) == IMAGE):
            return image
        return extra

    return structured_inputs(model, pick)


def dense_summary(model: keras.Model) -> str:
    """'Dense layers found: 784 → 64 (50,240), 'head' 64 → 10 (650)' from the kernels' shapes (a layer's
    name only when the learner gave it one)."""
    parts = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense) and layer.built:
            n_in, units = (tuple(layer.kernel.shape) + (None, None))[:2]
            name = given_name(layer)
            parts.append(f"{f'{name!r} ' if name else ''}{n_in} → {units} ({fmt_int(count_params(layer))})")
    return "Dense layers found: " + (", ".join(parts) or "none")


def test_functional_model_uses_the_functional_api(submission):
    model = expect_model(submission.call("build_functional_model"), "build_functional_model()")
    expect_api(model, "functional", "build_functional_model()", hint=FUNCTIONAL_HINT)


def test_functional_model_output_shape(functional):
    if api_of(functional) == "functional":
        inputs = named_inputs(functional)
        shapes = list(inputs.values())
        if shapes != [(None, *IMAGE)]:
            raise CheckFailure(
                f"the model's inputs have shapes {[fmt_shape(s) for s in shapes]}; expected one input "
                f"of shape {fmt_shape((None, *IMAGE))}",
                why="keras.Input(shape=(28, 28)) excludes the batch axis; Keras adds None for it",
                hint="the Input's shape is one image's shape, without the batch axis",
            )
    divergence = lesson_4_divergence(functional)
    if divergence is not None:
        raise divergence
    expect_equal_shape("the model's output", model_output_shape(functional, IMAGE), (None, 10),
                       why="Dense(10) outputs one logit per digit class",
                       hint="the last layer gives 10 logits, with no activation")


LESSON_4 = [Spec("Flatten"), Spec("Dense", 128, "relu"), Spec("Dense", 10)]


def lesson_4_divergence(model: keras.Model) -> CheckFailure | None:
    """The first difference between the model's layer list (in normal form) and lesson 4's model, when the
    layers can be listed in order (a plain chain); None otherwise or when they match."""
    if api_of(model) == "subclassed":
        return None
    try:
        return first_divergence(layer_list(model, IMAGE), LESSON_4)
    except CheckFailure:
        return None


def test_functional_model_parameter_count(functional):
    if lesson_4_divergence(functional) is not None:
        raise NotChecked("the model's layers differ from lesson 4's (see the output shape check above)")
    expect_param_count("the model", count_params(functional), 101_770,
                       formula="(784·128 + 128) + (128·10 + 10) = 100,480 + 1,290",
                       hint=f"{dense_summary(functional)}; expected Dense(128) with 100,480 and Dense(10) with 1,290")


def test_two_input_model_inputs_are_named(two_input):
    expect_named_shapes("inputs", named_inputs(two_input), {"image": (None, *IMAGE), "extra": (None, *EXTRA)},
                        hint='give each Input its shape and its name')


def test_two_input_model_output_is_named_logits(two_input):
    expect_named_shapes("outputs", named_outputs(two_input), {"logits": (None, 10)},
                        hint='name the last layer itself "logits": its name names the output')


def test_both_inputs_influence_the_output(submission, two_input):
    rng = generator(6)
    image = rng.uniform(size=(16, *IMAGE)).astype("float32")
    extra = rng.uniform(size=(16, *EXTRA)).astype("float32")

    def run(arrays):
        outputs = submission.invoke(two_input, "build_two_input_model()(inputs)", feed(two_input, *arrays),
                                    training=False)
        return np.asarray(single_output(outputs))

    for position, name in enumerate(("image", "extra")):
        if not depends_on(run, [image, extra], position, seed=position):
            raise CheckFailure(
                f"changing the {name!r} input does not change the output",
                expected="the logits depend on both 'image' and 'extra'",
                got=f"the same logits whatever {name!r} holds",
                why="Concatenate joins both branches, so the last Dense sees all 80 features",
                hint=f"check that the {name!r} branch reaches the Concatenate and that the Concatenate "
                "reaches the output",
            )


def test_two_input_model_parameter_count(two_input):
    expect_param_count("the two-input model", count_params(two_input), 51_194,
                       formula="(784·64 + 64) + (8·16 + 16) + (80·10 + 10) = 50,240 + 144 + 810",
                       hint=f"{dense_summary(two_input)}; expected image Dense 784 → 64, extra Dense 8 → 16, "
                       "then Dense 80 → 10")
