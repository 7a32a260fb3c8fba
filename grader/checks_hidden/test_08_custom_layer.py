"""Exercise 8 — hidden checks."""

import keras
import numpy as np
import pytest

from grader.checks import CheckFailure, KerasActivation, Scenario, expect_own_code, own_code_steps
from grader.checks.inputs import generator
from grader.checks.introspect import config_activation_name

pytestmark = pytest.mark.exercise("08")


def test_hidden_config_describes_an_activation_passed_as_a_function(submission):
    scenario = Scenario()
    cls = scenario.learner_class("MyDense")
    layer = scenario.new(cls, 3, activation=KerasActivation("relu"))
    config_step = scenario.config(layer)
    held = own_code_steps(scenario, cls)
    facts = submission.run(scenario)
    expect_own_code(facts, cls, keras.layers.Layer, held)
    fact = facts[config_step]
    if fact["not_implemented"]:
        raise CheckFailure("get_config() fails when the activation is passed as a function")
    if fact["not_implemented"] is not None:
        raise submission.not_implemented(f"{layer.label}.get_config()")
    config = fact["config"]
    # Its name, or the dict Keras serialises a function to: judged by what it describes, as in public
    if not isinstance(config, dict) or config_activation_name(config.get("activation")) != "relu":
        got = config.get("activation") if isinstance(config, dict) else fact["type"]
        raise CheckFailure("given the function keras.activations.relu, the config does not describe relu",
                           expected="'relu' (keras.activations.serialize gives it)", got=repr(got)[:80],
                           hint="store keras.activations.serialize(self.activation), not the function itself")
    if fact["json_error"]:
        raise CheckFailure(f"the config cannot be written as JSON ({fact['json_error']})")


def test_hidden_accepts_keras_keyword_arguments(submission):
    scenario = Scenario()
    cls = scenario.learner_class("MyDense")
    layer = scenario.new(cls, 3, name="mine")
    name = scenario.attribute(layer, "name")
    model = scenario.sequential((5, 4), [layer])
    shape = scenario.output_shape(model, (5, 4))
    rng = generator(87)
    x, kernel, bias = (rng.normal(size=s).astype("float32") for s in ((2, 5, 4), (4, 3), (3,)))
    scenario.assign(model, [kernel, bias], source_label="a (4, 3) kernel and a (3,) bias")
    output = scenario.call(model, x)
    held = own_code_steps(scenario, cls)
    facts = submission.run(scenario)
    expect_own_code(facts, cls, keras.layers.Layer, held)
    if facts[name] != "mine":
        # never the name itself: Keras' automatic one carries a process-wide counter (my_dense_7)
        raise CheckFailure("MyDense(3, name='mine') ignores name=", expected="the layer's name is 'mine'",
                           got="another name", hint="pass the keyword arguments you do not use on to the base class's __init__")
    if tuple(facts[shape]) != (None, 5, 3):
        raise CheckFailure("MyDense(3) inside a model on (5, 4) input does not output (None, 5, 3)", got=facts[shape])
    out = facts[output]
    if out.shape != (2, 5, 3) or not np.allclose(out, x @ kernel + bias, atol=1e-4):
        raise CheckFailure("MyDense(3) inside a Sequential model gives wrong outputs", got=out.shape)
