"""Exercise 7 — Graphs: a residual MLP, a two-headed model and a siamese model with a shared encoder."""

import keras
import numpy as np
import pytest

from grader.checks import (
    CheckFailure,
    count_params,
    expect_api,
    expect_equal_shape,
    expect_model,
    expect_named_shapes,
    expect_param_count,
    layers_of_kind,
    model_output_shape,
    named_inputs,
    named_outputs,
    skip_connections,
    structured_inputs,
    temporarily_assigned,
    variables_with_shape,
)

pytestmark = pytest.mark.exercise("07")

IMAGE = (28, 28)


def functional_model(submission, name: str) -> keras.Model:
    model = expect_model(submission.call(name), f"{name}()")
    expect_api(model, "functional", f"{name}()",
               hint="start from keras.Input(...), call the layers on tensors, return keras.Model(inputs, outputs)")
    return model


@pytest.fixture
def residual(submission):
    return functional_model(submission, "build_residual_mlp")


@pytest.fixture
def two_headed(submission):
    return functional_model(submission, "build_two_headed_model")


@pytest.fixture
def siamese(submission):
    return functional_model(submission, "build_siamese_model")


def rows_all_equal(outputs: object) -> bool:
    """Whether every output of a batch has identical rows: the model ignored what it was fed."""
    arrays = [np.asarray(out) for out in keras.tree.flatten(outputs)]
    return all(np.allclose(array, array[:1], atol=1e-6) for array in arrays)


def siamese_feed(model: keras.Model, left: np.ndarray, right: np.ndarray) -> object:
    """Left and right arranged like the model's inputs: by name, or by position if the names differ."""
    names = [tensor.name for tensor in model.inputs]
    if {"left", "right"} <= set(names):
        by_id = {id(t): (right if t.name == "right" else left) for t in model.inputs}
    else:
        by_id = {id(t): array for t, array in zip(model.inputs, (left, right), strict=False)}
    return structured_inputs(model, lambda tensor: by_id.get(id(tensor), left))


def test_residual_output_shape(residual):
    expect_equal_shape("the residual model's output", model_output_shape(residual, (784,)), (None, 10),
                       why="the last layer is Dense(10): one logit per digit class",
                       hint="keras.Input(shape=(784,)) … layers.Dense(10)")


def test_residual_parameter_count(residual):
    expect_param_count("the residual model", count_params(residual), 59_210,
                       formula="(784·64 + 64) + 2 · (64·64 + 64) + (64·10 + 10) = 50,240 + 2 · 4,160 + 650",
                       hint="the skip connection and the Add layer have no parameters; count the four Dense layers")


def test_residual_adds_the_block_input(residual):
    adds = layers_of_kind(residual, keras.layers.Add)
    if not adds:
        raise CheckFailure(
            "the residual model has no `Add` layer",
            expected="an Add layer joining the block's input and the block's output", got="no Add layer",
            why="`x + h` on symbolic tensors records the operation keras.ops.add, not a layer: model.summary() "
            "shows an `add (Add)` row for it, but model.layers has no Add layer, so the skip connection is "
            "not a layer the model holds",
            hint="x = layers.Add()([x, h]) where x is the tensor that went into the block",
        )
    if not skip_connections(residual):
        raise CheckFailure(
            "the model's Add layer does not add the block's input to the block's output",
            expected="Add()([x, F(x)]): one input of the Add is the tensor the block was computed from",
            got=f"Add inputs computed independently of each other ({len(adds)} Add layer(s))",
            why="a residual block computes x + F(x); the skip path carries x around F unchanged",
            hint="keep the tensor that enters the block in a variable (x) and add it back: layers.Add()([x, h])",
        )


def test_two_headed_outputs_are_named(two_headed):
    expect_named_shapes("inputs", named_inputs(two_headed), {"image": (None, *IMAGE)},
                        hint='keras.Input(shape=(28, 28), name="image")')
    expect_named_shapes("outputs", named_outputs(two_headed), {"digit": (None, 10), "parity": (None, 1)},
                        hint='two heads on the trunk: layers.Dense(10, name="digit") and layers.Dense(1, name="parity"); '
                        "return keras.Model(image, {\"digit\": digit, \"parity\": parity})")


def test_two_headed_parameter_count(two_headed):
    expect_param_count("the two-headed model", count_params(two_headed), 50_955,
                       formula="(784·64 + 64) + (64·10 + 10) + (64·1 + 1) = 50,240 + 650 + 65",
                       hint="both heads sit on the same 64-unit trunk; the trunk is counted once")


def test_siamese_inputs_and_output(siamese):
    expect_named_shapes("inputs", named_inputs(siamese), {"left": (None, *IMAGE), "right": (None, *IMAGE)},
                        hint='keras.Input(shape=(28, 28), name="left") and the same with name="right"')
    expect_named_shapes("outputs", named_outputs(siamese), {"same": (None, 1)},
                        hint='the head is layers.Dense(1, name="same") on the concatenated encodings')


def test_siamese_parameter_count(siamese):
    got = count_params(siamese)
    hint = "one encoder Dense(32) on 784 pixels, counted once, and Dense(1) on 32 + 32 = 64 features"
    if got == 2 * 25_120 + 65:
        hint = "that is two encoders: create the encoder layer once and call the same object on both inputs"
    expect_param_count("the siamese model", got, 25_185,
                       formula="(784·32 + 32) + (64·1 + 1) = 25,120 + 65; the shared encoder is counted once",
                       hint=hint)


def test_siamese_encoder_is_shared(submission, siamese):
    kernels = variables_with_shape(siamese, (784, 32))
    if len(kernels) != 1:
        raise CheckFailure(
            f"the siamese model holds {len(kernels)} encoder kernels of shape (784, 32); expected exactly one",
            expected="1 variable of shape (784, 32), used by both branches", got=f"{len(kernels)}",
            why="calling one layer instance twice reuses its variables; two Dense(32) layers built with the "
            "same arguments are two separate sets of weights",
            hint="encode = layers.Dense(32, activation='relu') once, then encode(flatten(left)) and "
            "encode(flatten(right))",
        )
    rng = np.random.default_rng(7)
    left, right = (rng.uniform(size=(6, *IMAGE)).astype("float32") for _ in range(2))

    def run():
        return submission.invoke(siamese, "build_siamese_model()(inputs)", siamese_feed(siamese, left, right),
                                 training=False)

    if rows_all_equal(run()):
        raise CheckFailure("the siamese model gives the same output for different images",
                           hint="both encodings must reach the Dense(1) head through the Concatenate")
    with temporarily_assigned(kernels[0], np.zeros((784, 32), dtype="float32")):
        ignores_images = rows_all_equal(run())
    if not ignores_images:
        raise CheckFailure(
            "one branch of the siamese model does not go through the shared (784, 32) kernel",
            expected="with that kernel set to zero, neither image can change the output",
            got="the output still depends on the images",
            why="a shared encoder means both branches use the very same kernel variable",
            hint="apply the same encoder object to both left and right",
        )
