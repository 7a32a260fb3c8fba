"""Exercise 7 — Graphs: a residual MLP, a two-headed model and a siamese model with a shared encoder."""

import contextlib

import keras
import numpy as np
import pytest

from grader.checks import (
    CheckFailure,
    NotChecked,
    count_params,
    expect_api,
    expect_equal_shape,
    expect_model,
    expect_named_shapes,
    expect_param_count,
    model_output_shape,
    named_inputs,
    named_outputs,
    structured_inputs,
    temporarily_assigned,
    variables_with_shape,
)
from grader.checks.inputs import generator

pytestmark = pytest.mark.exercise("07")

IMAGE = (28, 28)


def functional_model(submission, name: str) -> keras.Model:
    model = expect_model(submission.call(name), f"{name}()")
    expect_api(model, "functional", f"{name}()",
               hint="start from keras.Input, call the layers on tensors, and build keras.Model from the input and output tensors")
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
                       hint="the model takes (784,) vectors and ends with 10 logits")


def test_residual_parameter_count(residual):
    expect_param_count("the residual model", count_params(residual), 59_210,
                       formula="(784·64 + 64) + 2 · (64·64 + 64) + (64·10 + 10) = 50,240 + 2 · 4,160 + 650",
                       hint="the skip connection and the Add layer have no parameters; count the four Dense layers")


def test_residual_adds_the_block_input(submission, residual):
    """Judged by behaviour, so `layers.Add()([x, h])`, `x + h` and `keras.ops.add(x, h)` are the same join:
    with the block's two kernels set to zero, the block outputs a constant and only a skip connection
    can still carry the input to the output."""
    kernels = variables_with_shape(residual, (64, 64))
    if len(kernels) != 2:
        raise NotChecked("the residual block does not hold two Dense(64) kernels of shape (64, 64) "
                         "(see the parameter count)")
    x = generator(70).normal(size=(8, 784)).astype("float32")

    def run():
        return submission.invoke(residual, "build_residual_mlp()(x)", x, training=False)

    if rows_all_equal(run()):
        raise CheckFailure("the residual model gives the same output for different inputs",
                           hint="check that the input reaches the output through the layers")
    zero = np.zeros((64, 64), dtype="float32")
    with temporarily_assigned(kernels[0], zero), temporarily_assigned(kernels[1], zero):
        passes_input_through = not rows_all_equal(run())
    if not passes_input_through:
        raise CheckFailure(
            "the residual model does not add the block's input back to the block's output",
            expected="with the block's two kernels set to zero, the input still reaches the output (x + F(x) = x + "
            "constant)",
            got="the output no longer depends on the input: nothing goes around the block",
            why="a residual block computes x + F(x); the skip path carries x around F unchanged",
            hint="keep the tensor that enters the block in a variable and add it to the block's output",
        )


def head_output(outputs, names: list[str], name: str):
    """The output of the head called `name` among a call's `outputs`: by its key when they are a dict, by
    its name among the model's output `names` (in the model's order) when they are a list, and only
    when the heads are not named by the stub's order (digit first, parity last)."""
    if isinstance(outputs, dict) and name in outputs:
        return outputs[name]
    flat = keras.tree.flatten(outputs)
    if name in names and len(names) == len(flat):
        return flat[names.index(name)]
    return flat[0 if name == "digit" else -1]


def test_two_headed_heads_output_logits(submission, two_headed):
    """Each head must output raw scores: given a zero kernel and a bias of 3, a head outputs exactly 3 (a
    sigmoid would give 0.95, a softmax 0.1 per class)."""
    x = generator(73).uniform(size=(4, *IMAGE)).astype("float32")
    for name, units in (("digit", 10), ("parity", 1)):
        kernels, biases = variables_with_shape(two_headed, (64, units)), variables_with_shape(two_headed, (units,))
        if len(kernels) != 1 or len(biases) != 1:
            raise NotChecked(f"the grader cannot find the {name!r} head's Dense(64 → {units}) weights "
                             "(see the parameter count)")
        with (temporarily_assigned(kernels[0], np.zeros((64, units), dtype="float32")),
              temporarily_assigned(biases[0], np.full((units,), 3.0, dtype="float32"))):
            outputs = submission.invoke(two_headed, "build_two_headed_model()(x)", x, training=False)
        got = np.asarray(head_output(outputs, list(named_outputs(two_headed)), name))
        if not np.allclose(got, 3.0, atol=1e-5):
            squashed = "a sigmoid" if units == 1 else "a softmax"
            raise CheckFailure(
                f"the {name!r} head does not output logits: with weights that make its Dense output 3.0, "
                f"the model outputs {float(got.flat[0]):.3f}",
                expected="3.000 (the Dense layer's raw score)", got=f"{float(got.flat[0]):.3f}",
                why=f"{squashed} on the head turns scores into probabilities; the losses for these heads are "
                "given from_logits=True and apply it themselves",
                hint=f"leave the {name!r} head's Dense layer without an activation",
            )


def test_two_headed_outputs_are_named(two_headed):
    expect_named_shapes("inputs", named_inputs(two_headed), {"image": (None, *IMAGE)},
                        hint="name the Input itself: its name names the model's input")
    expect_named_shapes("outputs", named_outputs(two_headed), {"digit": (None, 10), "parity": (None, 1)},
                        hint="two heads on the same trunk tensor; name the outputs by giving keras.Model a dict of them")


def test_two_headed_parameter_count(two_headed):
    expect_param_count("the two-headed model", count_params(two_headed), 50_955,
                       formula="(784·64 + 64) + (64·10 + 10) + (64·1 + 1) = 50,240 + 650 + 65",
                       hint="both heads sit on the same 64-unit trunk; the trunk is counted once")


def test_siamese_inputs_and_output(siamese):
    expect_named_shapes("inputs", named_inputs(siamese), {"left": (None, *IMAGE), "right": (None, *IMAGE)},
                        hint="two Inputs of one image's shape, each with its name")
    expect_named_shapes("outputs", named_outputs(siamese), {"same": (None, 1)},
                        hint="the head is one unit on the concatenated encodings, named \"same\"")


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
            hint="create the encoder layer once and call that same object on both flattened inputs",
        )
    rng = generator(7)
    left, right = (rng.uniform(size=(6, *IMAGE)).astype("float32") for _ in range(2))

    def run():
        return submission.invoke(siamese, "build_siamese_model()(inputs)", siamese_feed(siamese, left, right),
                                 training=False)

    if rows_all_equal(run()):
        raise CheckFailure("the siamese model gives the same output for different images",
                           hint="both encodings must reach the head through the concatenation")
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


def _only_variable(model: keras.Model, shape: tuple[int, ...], what: str):
    found = variables_with_shape(model, shape)
    if len(found) != 1:
        raise NotChecked(f"the grader cannot find the {what} (one variable of shape {shape}; see the parameter count)")
    return found[0]


def _assigned(*pairs) -> contextlib.ExitStack:
    """Each (variable, value) of `pairs` set until the block ends (then restored)."""
    stack = contextlib.ExitStack()
    for variable, value in pairs:
        stack.enter_context(temporarily_assigned(variable, np.asarray(value, dtype="float32")))
    return stack


def test_siamese_same_is_a_logit_of_relu_encodings(submission, siamese):
    """Judged by what the model computes with weights the grader sets: the "same" head outputs its Dense
    layer's raw score (a zero kernel and a bias of 3 give exactly 3; a sigmoid gives 0.953), and the
    shared encoder applies a ReLU (a zero kernel and a bias of -1 make every encoding 0 after a ReLU, so
    a head of ones outputs 0; with no activation it outputs -64)."""
    encoder_kernel = _only_variable(siamese, (784, 32), "shared encoder's kernel")
    encoder_bias = _only_variable(siamese, (32,), "shared encoder's bias")
    head_kernel = _only_variable(siamese, (64, 1), "\"same\" head's kernel")
    head_bias = _only_variable(siamese, (1,), "\"same\" head's bias")
    rng = generator(74)
    left, right = (rng.uniform(size=(4, *IMAGE)).astype("float32") for _ in range(2))

    def same() -> float:
        outputs = submission.invoke(siamese, "build_siamese_model()(inputs)", siamese_feed(siamese, left, right),
                                    training=False)
        return float(np.asarray(keras.tree.flatten(outputs)[0]).flat[0])

    with _assigned((head_kernel, np.zeros((64, 1))), (head_bias, [3.0])):
        score = same()
    if not np.isclose(score, 3.0, atol=1e-5):
        raise CheckFailure(
            f'the "same" output is not a logit: with weights that make its Dense output 3.0, the model outputs '
            f"{score:.3f}", expected="3.000 (the Dense layer's raw score)", got=f"{score:.3f}",
            why="a sigmoid on the head turns the score into a probability; the loss for it is given "
            "from_logits=True and applies the sigmoid itself",
            hint='leave the "same" Dense layer without an activation')
    with _assigned((encoder_kernel, np.zeros((784, 32))), (encoder_bias, np.full(32, -1.0)),
                   (head_kernel, np.ones((64, 1))), (head_bias, [0.0])):
        score = same()
    expect_relu_held_at_zero("the shared encoder", "encoder", 32, '"same" head', score)


def test_two_headed_trunk_applies_relu(submission, two_headed):
    """With the trunk's kernel at zero and its bias at -1, a ReLU makes every trunk feature 0, so a digit head
    of ones outputs 0 for every class (with no activation on the trunk: -64)."""
    trunk_kernel = _only_variable(two_headed, (784, 64), "trunk's kernel")
    trunk_bias = _only_variable(two_headed, (64,), "trunk's bias")
    digit_kernel = _only_variable(two_headed, (64, 10), "'digit' head's kernel")
    digit_bias = _only_variable(two_headed, (10,), "'digit' head's bias")
    x = generator(75).uniform(size=(4, *IMAGE)).astype("float32")
    with _assigned((trunk_kernel, np.zeros((784, 64))), (trunk_bias, np.full(64, -1.0)),
                   (digit_kernel, np.ones((64, 10))), (digit_bias, np.zeros(10))):
        outputs = submission.invoke(two_headed, "build_two_headed_model()(x)", x, training=False)
    got = np.asarray(head_output(outputs, list(named_outputs(two_headed)), "digit"))
    expect_relu_held_at_zero("the trunk", "trunk", 64, "'digit' head", float(got.flat[np.argmax(np.abs(got))]))


def expect_relu_held_at_zero(part: str, unit: str, units: int, head: str, got: float) -> None:
    """CheckFailure unless `got`, the output of a head of ones on `part`'s Dense(units, relu) held at -1
    before its activation, is 0 (with no activation it is -units)."""
    if not np.isclose(got, 0.0, atol=1e-4):
        raise CheckFailure(
            f"{part} does not apply a ReLU: with every {unit} unit at -1 before its activation, the {head} "
            f"(all ones) outputs {got:.3f}", expected=f"0.000 (a ReLU makes every {unit} feature 0)", got=f"{got:.3f}",
            why=f"{part} is Flatten → Dense({units}, relu): its features are never negative",
            hint=f"give {part}'s Dense layer activation=\"relu\"")
