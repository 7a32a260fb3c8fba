"""Exercise 8 — A Dense layer of your own: `MyDense` against `keras.layers.Dense` with the same weights."""

import keras
import numpy as np
import pytest

from grader.checks import (
    CheckFailure,
    copy_weights,
    count_params,
    expect_array,
    expect_close,
    expect_param_count,
    variables_of,
)

pytestmark = pytest.mark.exercise("08")


@pytest.fixture
def my_dense(submission):
    cls = submission.get("MyDense", "class")
    if not (isinstance(cls, type) and issubclass(cls, keras.layers.Layer)):
        raise CheckFailure("`MyDense` is not a Keras layer class", expected="class MyDense(keras.layers.Layer)",
                           got=repr(cls)[:80])
    if issubclass(cls, keras.layers.Dense):
        raise CheckFailure("`MyDense` subclasses keras.layers.Dense; this exercise asks you to write it yourself",
                           expected="class MyDense(keras.layers.Layer)",
                           got=f"class MyDense({cls.__bases__[0].__name__})",
                           hint="subclass keras.layers.Layer and write __init__, build, call and get_config")
    return cls


def make(submission, cls, *args, **kwargs):
    shown = ", ".join([*map(repr, args), *(f"{k}={v!r}" for k, v in kwargs.items())])
    return submission.invoke(cls, f"MyDense({shown})", *args, **kwargs), f"MyDense({shown})"


def apply(submission, layer, label, x):
    return np.asarray(submission.invoke(layer, f"{label}(x) on x of shape {x.shape}", x))


def reference_dense(x, units, activation, use_bias, seed):
    """A keras Dense on x with seeded random weights (biases too): (layer, output)."""
    layer = keras.layers.Dense(units, activation=activation, use_bias=use_bias)
    layer.build(x.shape)
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(size=w.shape).astype("float32") for w in layer.weights])
    return layer, np.asarray(layer(x))


def expect_matches_dense(submission, cls, x, units, activation, use_bias, seed, what):
    reference, expected = reference_dense(x, units, activation, use_bias, seed)
    layer, label = make(submission, cls, units, activation=activation, use_bias=use_bias)
    apply(submission, layer, label, x)  # the first call builds the weights
    copy_weights(reference, layer, source_label=f"keras.layers.Dense({units}, use_bias={use_bias})",
                 target_label=label)
    got = expect_array(f"{label}(x)", apply(submission, layer, label, x))
    expect_close(
        f"{label} on {what}", got, expected, atol=1e-4,
        why=f"with the same kernel and bias, keras.layers.Dense computes activation(x @ kernel"
        f"{' + bias' if use_bias else ''}) on the last axis of x",
        hint="in call(): keras.ops.matmul(inputs, self.kernel), add self.bias if use_bias, then "
        "self.activation(...)",
    )


def test_rejects_non_positive_units(submission, my_dense):
    def construct(units):
        """The ValueError MyDense(units) raises, or None if it accepts the value."""
        try:
            my_dense(units)
        except ValueError as error:
            return error
        return None

    for units in (-3, 0):
        error = submission.invoke(construct, f"MyDense({units})", units)
        if error is None:
            raise CheckFailure(
                f"MyDense({units}) was accepted; expected a ValueError",
                expected="ValueError: ... expected a positive integer. Received: units=" + str(units),
                got="a layer", why="a layer with no units cannot compute anything; fail early, at construction",
                hint="if not isinstance(units, int) or units <= 0: raise ValueError(...)",
            )
        if "units" not in str(error):
            raise CheckFailure(
                f"MyDense({units}) raised ValueError, but its message does not name the argument `units`",
                expected=f"a message such as: expected a positive integer. Received: units={units}",
                got=str(error)[:120] or "an empty message",
                hint="say which argument was wrong and what was received",
            )


def test_weights_are_created_lazily(submission, my_dense):
    layer, label = make(submission, my_dense, 4)
    before = variables_of(layer)
    if before:
        raise CheckFailure(
            f"{label} already has {len(before)} weight(s) before its first call",
            expected="no weights until the layer is called", got=[tuple(v.shape) for v in before],
            why="__init__ does not know the input size; build(input_shape) runs at the first call, when it is known",
            hint="create the kernel and bias in build(self, input_shape) with self.add_weight(...)",
        )
    apply(submission, layer, label, np.ones((2, 3), dtype="float32"))
    shapes = sorted(tuple(v.shape) for v in variables_of(layer))
    if shapes != sorted([(3, 4), (4,)]):
        raise CheckFailure(
            f"after a call on input of shape (2, 3), {label} has weights of shapes {shapes}",
            expected="kernel (3, 4) and bias (4,)", got=shapes,
            why="the kernel maps the last input axis (3) to the units (4); one bias per unit",
            hint="self.add_weight(name='kernel', shape=(input_shape[-1], self.units)) and "
            "self.add_weight(name='bias', shape=(self.units,))",
        )


def test_weights_are_named_kernel_and_bias(submission, my_dense):
    layer, label = make(submission, my_dense, 4)
    apply(submission, layer, label, np.ones((2, 3), dtype="float32"))
    names = sorted(str(v.name).split("/")[-1].split(":")[0] for v in variables_of(layer))
    if names != ["bias", "kernel"]:
        raise CheckFailure(
            f"{label}'s weights are named {names}; expected ['bias', 'kernel']",
            expected="kernel, bias", got=", ".join(names),
            why="the names appear in model.weights, summaries and saved files; Dense uses kernel and bias",
            hint="self.add_weight(name='kernel', ...) and self.add_weight(name='bias', ...)",
        )


def test_parameter_count(submission, my_dense):
    for use_bias, expected, formula in ((True, 40, "7 inputs × 5 units + 5 biases"),
                                        (False, 35, "7 inputs × 5 units (use_bias=False: no bias)")):
        layer, label = make(submission, my_dense, 5, use_bias=use_bias)
        apply(submission, layer, label, np.ones((2, 7), dtype="float32"))
        expect_param_count(f"{label} on 7 input features", count_params(layer), expected, formula=formula,
                           hint="create the bias only when use_bias is True" if not use_bias else None)


def test_matches_dense_on_rank2_input(submission, my_dense):
    x = np.random.default_rng(81).normal(size=(4, 6)).astype("float32")
    expect_matches_dense(submission, my_dense, x, 3, None, True, 1, "a (4, 6) batch")


def test_matches_dense_with_relu(submission, my_dense):
    x = np.random.default_rng(82).normal(size=(5, 4)).astype("float32")
    expect_matches_dense(submission, my_dense, x, 7, "relu", True, 2, "a (5, 4) batch with activation='relu'")


def test_matches_dense_without_bias(submission, my_dense):
    x = np.random.default_rng(83).normal(size=(3, 5)).astype("float32")
    expect_matches_dense(submission, my_dense, x, 2, None, False, 3, "a (3, 5) batch with use_bias=False")


def test_matches_dense_on_rank3_input(submission, my_dense):
    x = np.random.default_rng(84).normal(size=(2, 5, 3)).astype("float32")
    expect_matches_dense(submission, my_dense, x, 4, "relu", True, 4, "a (2, 5, 3) batch (rank 3)")


def _config(submission, layer, label):
    def get_config():
        try:
            return layer.get_config()
        except NotImplementedError as error:
            if "non-serializable" in str(error):
                raise CheckFailure(
                    f"{label}.get_config() failed: Keras could not write the config for you",
                    why=str(error).strip().splitlines()[0][:200],
                    hint="override get_config(): config = super().get_config(); config.update(units=..., "
                    "activation=keras.activations.serialize(self.activation), use_bias=...)",
                ) from None
            raise

    config = submission.invoke(get_config, f"{label}.get_config()")
    if not isinstance(config, dict):
        raise CheckFailure(f"{label}.get_config() returned a {type(config).__name__}; expected a dict",
                           hint="start from config = super().get_config() and return it")
    return config


def test_config_round_trip(submission, my_dense):
    layer, label = make(submission, my_dense, 7, activation="relu", use_bias=False, name="probe")
    config = _config(submission, layer, label)
    for key, expected in (("units", 7), ("use_bias", False)):
        if key not in config or config[key] != expected:
            raise CheckFailure(
                f"{label}.get_config() does not return {key}={expected!r}",
                expected=f"{key!r}: {expected!r}", got=f"{key!r}: {config[key]!r}" if key in config else f"no {key!r} key",
                why="from_config(config) calls MyDense(**config); an argument missing from the config comes "
                "back as its default",
                hint=f"config.update({{..., {key!r}: self.{key}}})",
            )
    if "activation" not in config:
        raise CheckFailure(f"{label}.get_config() has no 'activation' key",
                           hint="'activation': keras.activations.serialize(self.activation)")
    try:
        activation = keras.activations.get(config["activation"])
    except Exception:  # noqa: BLE001
        activation = None
    if getattr(activation, "__name__", None) != "relu":
        raise CheckFailure(
            f"{label}.get_config()['activation'] does not describe relu",
            expected="'relu'", got=repr(config["activation"])[:80],
            hint="keras.activations.serialize(self.activation) gives the activation's name",
        )
    clone = submission.invoke(my_dense.from_config, "MyDense.from_config(config)", config)
    clone_config = _config(submission, clone, "MyDense.from_config(config)")
    if clone_config != config:
        differ = sorted(k for k in set(config) | set(clone_config) if config.get(k) != clone_config.get(k))
        raise CheckFailure(
            "MyDense.from_config(layer.get_config()) gives a layer with a different config",
            expected={k: config.get(k) for k in differ}, got={k: clone_config.get(k) for k in differ},
            why="the config must hold every constructor argument, so that the layer can be rebuilt from it",
        )
    x = np.random.default_rng(85).normal(size=(3, 6)).astype("float32")
    apply(submission, layer, label, x)
    apply(submission, clone, "MyDense.from_config(config)", x)
    copy_weights(layer, clone, source_label=label, target_label="MyDense.from_config(config)")
    expect_close("the rebuilt layer's output", apply(submission, clone, "MyDense.from_config(config)", x),
                 apply(submission, layer, label, x), atol=1e-5,
                 why="a layer rebuilt from its config, given the same weights, computes the same thing")
