"""Exercise 8 — A Dense layer of your own: `MyDense` against `keras.layers.Dense` with the same weights.

The checks observe `MyDense` through scenarios (grader.checks.scenario): each check writes down what
to do with the class, the submission plays it, and the check judges the facts that come back
against values computed here — e.g. the outputs of a real `keras.layers.Dense` with the same weights.
"""


import keras
import numpy as np
import pytest

from grader.checks import (
    CheckFailure,
    Scenario,
    expect_array,
    expect_close,
    expect_own_code,
    expect_param_count,
    own_code_steps,
    parameter_count,
    subclasses,
)
from grader.checks.inputs import generator
from grader.checks.introspect import config_activation_name

pytestmark = pytest.mark.exercise("08")


def my_dense() -> tuple[Scenario, object]:
    """A scenario that starts by taking the class `MyDense`, and that class's Ref."""
    scenario = Scenario()
    return scenario, scenario.learner_class("MyDense")


def play(submission, scenario: Scenario, cls):
    """Play the scenario; first of all, `MyDense` must be a Layer written on keras.layers.Layer itself, not
    one of Keras' own layers (Dense, EinsumDense) or a holder of one (grader.checks.scenario.expect_own_code)."""
    held = own_code_steps(scenario, cls)
    facts = submission.run(scenario)
    fact = facts[cls]
    if not subclasses(fact, keras.layers.Layer):
        raise CheckFailure("`MyDense` is not a Keras layer class", expected="class MyDense(keras.layers.Layer)",
                           got=fact["repr"], why="Keras calls build() and call() only on subclasses of Layer",
                           hint="keep the stub's `class MyDense(keras.layers.Layer):` line")
    expect_own_code(facts, cls, keras.layers.Layer, held)
    return facts


def shapes_of(variables) -> list[tuple[int, ...]]:
    return [tuple(shape) for _, shape in variables]


def reference_dense(x, units, activation, use_bias, seed):
    """A keras Dense on x with seeded random weights (biases too): (its weights, its output)."""
    layer = keras.layers.Dense(units, activation=activation, use_bias=use_bias)
    layer.build(x.shape)
    rng = generator(seed)
    layer.set_weights([rng.normal(size=w.shape).astype("float32") for w in layer.weights])
    return layer.get_weights(), np.asarray(layer(x))


def expect_matches_dense(submission, x, units, activation, use_bias, seed, what):
    weights, expected = reference_dense(x, units, activation, use_bias, seed)
    scenario, cls = my_dense()
    layer = scenario.new(cls, units, activation=activation, use_bias=use_bias)
    scenario.call(layer, x)  # the first call builds the weights
    scenario.assign(layer, weights, source_label=f"keras.layers.Dense({units}, use_bias={use_bias})")
    output = scenario.call(layer, x)
    facts = play(submission, scenario, cls)
    got = expect_array(f"{layer.label}(x)", facts[output])
    expect_close(
        f"{layer.label} on {what}", got, expected, atol=1e-4,
        why=f"with the same kernel and bias, keras.layers.Dense computes activation(x @ kernel"
        f"{' + bias' if use_bias else ''}) on the last axis of x",
        hint="in call(): multiply the inputs' last axis by the kernel, add the bias if there is one, then "
        "apply the activation",
    )


def test_rejects_non_positive_units(submission):
    scenario, cls = my_dense()
    attempts = {units: scenario.attempt_new(cls, units) for units in (-3, 0)}
    facts = play(submission, scenario, cls)
    for units, attempt in attempts.items():
        fact = facts[attempt]
        if fact["raised"] is None:
            raise CheckFailure(
                f"MyDense({units}) was accepted; expected a ValueError",
                expected="ValueError: ... expected a positive integer. Received: units=" + str(units),
                got="a layer", why="a layer with no units cannot compute anything; fail early, at construction",
                hint="check units in __init__ and raise ValueError naming the argument and the value received",
            )
        if "ValueError" not in fact["kinds"]:
            raise CheckFailure(
                f"`MyDense({units})` raised {fact['raised']}: {fact['message']}",
                expected="ValueError", got=fact["raised"],
                why="a wrong argument value is a ValueError, the exception Keras' own layers raise for it",
                hint="check units in __init__ and raise ValueError naming the argument and the value received",
            )
        if "units" not in fact["message"]:
            raise CheckFailure(
                f"MyDense({units}) raised ValueError, but its message does not name the argument `units`",
                expected=f"a message such as: expected a positive integer. Received: units={units}",
                got=fact["message"][:120] or "an empty message",
                hint="say which argument was wrong and what was received",
            )


def test_weights_are_created_lazily(submission):
    scenario, cls = my_dense()
    layer = scenario.new(cls, 4)
    before = scenario.variables(layer)
    scenario.call(layer, np.ones((2, 3), dtype="float32"))
    after = scenario.variables(layer)
    facts = play(submission, scenario, cls)
    if facts[before]:
        raise CheckFailure(
            f"{layer.label} already has {len(facts[before])} weight(s) before its first call",
            expected="no weights until the layer is called", got=shapes_of(facts[before]),
            why="__init__ does not know the input size; build(input_shape) runs at the first call, when it is known",
            hint="create the weights in build(), once the input's last dimension is known, with add_weight",
        )
    shapes = sorted(shapes_of(facts[after]))
    if shapes != sorted([(3, 4), (4,)]):
        raise CheckFailure(
            f"after a call on input of shape (2, 3), {layer.label} has weights of shapes {shapes}",
            expected="kernel (3, 4) and bias (4,)", got=shapes,
            why="the kernel maps the last input axis (3) to the units (4); one bias per unit",
            hint="the kernel's shape is (the input's last dimension, units) and the bias's (units,)",
        )


def test_weights_are_named_kernel_and_bias(submission):
    scenario, cls = my_dense()
    layer = scenario.new(cls, 4)
    scenario.call(layer, np.ones((2, 3), dtype="float32"))
    variables = scenario.variables(layer)
    names = sorted(name for name, _ in play(submission, scenario, cls)[variables])
    if names != ["bias", "kernel"]:
        raise CheckFailure(
            f"{layer.label}'s weights are named {names}; expected ['bias', 'kernel']",
            expected="kernel, bias", got=", ".join(names),
            why="the names appear in model.weights, summaries and saved files; Dense uses kernel and bias",
            hint="pass name= to add_weight: \"kernel\" and \"bias\"",
        )


def test_parameter_count(submission):
    scenario, cls = my_dense()
    cases = []
    for use_bias, expected, formula in ((True, 40, "7 inputs × 5 units + 5 biases"),
                                        (False, 35, "7 inputs × 5 units (use_bias=False: no bias)")):
        layer = scenario.new(cls, 5, use_bias=use_bias)
        scenario.call(layer, np.ones((2, 7), dtype="float32"))
        cases.append((layer, scenario.variables(layer), use_bias, expected, formula))
    facts = play(submission, scenario, cls)
    for layer, variables, use_bias, expected, formula in cases:
        count = parameter_count(facts[variables])  # from the shapes, not count_params()
        expect_param_count(f"{layer.label} on 7 input features", count, expected, formula=formula,
                           hint="create the bias only when use_bias is True" if not use_bias else None)


def test_matches_dense_on_rank2_input(submission):
    x = generator(81).normal(size=(4, 6)).astype("float32")
    expect_matches_dense(submission, x, 3, None, True, 1, "a (4, 6) batch")


def test_matches_dense_with_relu(submission):
    x = generator(82).normal(size=(5, 4)).astype("float32")
    expect_matches_dense(submission, x, 7, "relu", True, 2, "a (5, 4) batch with activation='relu'")


def test_matches_dense_without_bias(submission):
    x = generator(83).normal(size=(3, 5)).astype("float32")
    expect_matches_dense(submission, x, 2, None, False, 3, "a (3, 5) batch with use_bias=False")


def test_matches_dense_on_rank3_input(submission):
    x = generator(84).normal(size=(2, 5, 3)).astype("float32")
    # tanh: a layer that applies relu alone (`if activation == "relu"`) is caught here, not only in hidden
    expect_matches_dense(submission, x, 4, "tanh", True, 4, "a (2, 5, 3) batch (rank 3) with activation='tanh'")


def config_of(submission, fact: dict, label: str) -> dict:
    """The config a `Scenario.config` step observed; a CheckFailure if get_config() did not give one."""
    if fact["not_implemented"] is not None:
        if "non-serializable" not in fact["not_implemented"]:
            raise submission.not_implemented(f"{label}.get_config()")
        raise CheckFailure(
            f"{label}.get_config() failed: Keras could not write the config for you",
            why=fact["not_implemented"][:200],
            hint="override get_config(): start from the base class's config and add every constructor argument",
        )
    if fact["config"] is None:
        raise CheckFailure(f"{label}.get_config() returned a {fact['type']}; expected a dict",
                           hint="start from the base class's config, add your arguments and return it")
    return fact["config"]


def test_config_round_trip(submission):
    scenario, cls = my_dense()
    layer = scenario.new(cls, 7, activation="relu", use_bias=False, name="probe")
    config_step = scenario.config(layer)
    clone = scenario.from_config(cls, layer)
    clone_config_step = scenario.config(clone)
    rng = generator(85)
    x, kernel = rng.normal(size=(3, 6)).astype("float32"), rng.normal(size=(6, 7)).astype("float32")
    scenario.call(clone, x)  # builds the weights
    scenario.assign(clone, [kernel], source_label="a (6, 7) kernel, and no bias")
    clone_output = scenario.call(clone, x)
    facts = play(submission, scenario, cls)
    label = layer.label
    config = config_of(submission, facts[config_step], label)
    for key, expected in (("units", 7), ("use_bias", False)):
        if key not in config or config[key] != expected:
            raise CheckFailure(
                f"{label}.get_config() does not return {key}={expected!r}",
                expected=f"{key!r}: {expected!r}", got=f"{key!r}: {config[key]!r}" if key in config else f"no {key!r} key",
                why="from_config(config) calls MyDense(**config); an argument missing from the config comes "
                "back as its default",
                hint=f"add {key!r} to the config that get_config() returns",
            )
    if "activation" not in config:
        raise CheckFailure(f"{label}.get_config() has no 'activation' key",
                           hint="store the activation in the config by its serialised name, not as a function")
    if config_activation_name(config["activation"]) != "relu":
        raise CheckFailure(
            f"{label}.get_config()['activation'] does not describe relu",
            expected="'relu'", got=repr(config["activation"])[:80],
            hint="keras.activations.serialize turns an activation function into its name",
        )
    clone_config = config_of(submission, facts[clone_config_step], clone.label)
    if clone_config != config:
        differ = sorted(k for k in set(config) | set(clone_config) if config.get(k) != clone_config.get(k))
        raise CheckFailure(
            "MyDense.from_config(layer.get_config()) gives a layer with a different config",
            expected={k: config.get(k) for k in differ}, got={k: clone_config.get(k) for k in differ},
            why="the config must hold every constructor argument, so that the layer can be rebuilt from it",
        )
    expect_close("the output of the layer rebuilt from the config", facts[clone_output],
                 np.maximum(x @ kernel, 0), atol=1e-4,
                 why="rebuilt from the config of MyDense(7, activation='relu', use_bias=False), the layer "
                 "computes relu(x @ kernel), with no bias, like the original")
