"""Exercise 12 — Save, reload and freeze: a `.keras` round trip with a custom layer; a frozen feature extractor.

`Standardize` is the learner's own class, so its checks observe it through scenarios
(grader.checks.scenario): the submission builds a model with it, saves it into a directory the grader
made (in batch grading, inside the submission's private scratch folder), loads it back, and reports
outputs; the checks compare them with `(x - mean) / std` computed here. `classifier_on_frozen_features`
returns a plain Keras model, which the grader trains itself, for a few steps, to see which weights move.
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
    own_code_steps,
    predict_numpy,
    subclasses,
)
from grader.checks.inputs import generator
from grader.checks.saving import (
    BASE_INPUT,
    BASE_UNITS,
    expect_config_gives_back,
    expect_file_computes,
    expect_loads_without_custom_objects,
    expect_registered_in_file,
    expect_saved_and_reloaded,
    frozen_classifier,
    reference_base,
    train_briefly,
    trainable_count,
)

pytestmark = pytest.mark.exercise("12")


def standardize_stats() -> tuple[np.ndarray, np.ndarray]:
    """The mean and std the checks give Standardize (drawn when a check runs: see grader.checks.inputs)."""
    rng = generator(1201)
    return rng.normal(size=5).astype("float32"), rng.uniform(0.5, 2.0, size=5).astype("float32")


FORMULA_HINT = "in call(), subtract the mean, then divide by the std: both broadcast over the last axis"
# One base for every public check: batch grading records a call by its arguments, and a model argument
# counts as "a model", so these calls must not differ by their base only.
BASE_SEED = 1208


def standardize():
    """A scenario that starts by taking the class `Standardize`, and that class's Ref."""
    scenario = Scenario()
    return scenario, scenario.learner_class("Standardize")


def play(submission, scenario: Scenario, cls):
    """Play the scenario; first of all, `Standardize` must be a Keras layer class, written on
    keras.layers.Layer itself (not Keras' Normalization, nor holding one: grader.checks.scenario.expect_own_code)."""
    held = own_code_steps(scenario, cls)
    facts = submission.run(scenario)
    fact = facts[cls]
    if not subclasses(fact, keras.layers.Layer):
        raise CheckFailure("`Standardize` is not a Keras layer class", expected="class Standardize(keras.layers.Layer)",
                           got=fact["repr"], why="only a Layer can sit inside a model and be saved with it",
                           hint="keep the stub's `class Standardize(keras.layers.Layer):` line")
    expect_own_code(facts, cls, keras.layers.Layer, held)
    return facts


def standardized(x: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    return (x - mean) / std


def model_with_standardize(scenario: Scenario, cls, mean, std, input_shape, units, seed):
    """Input → Standardize(mean, std) → Dense(units) with the grader's kernel and bias: the model's Ref, the
    function it computes, and the Standardize layer's Ref."""
    rng = generator(seed)
    kernel = rng.normal(size=(input_shape[-1], units)).astype("float32")
    bias = rng.normal(size=units).astype("float32")
    layer = scenario.new(cls, mean=mean, std=std)
    dense = scenario.keras_layer("Dense", units=units)
    model = scenario.sequential(input_shape, [layer, dense])
    scenario.assign(dense, [kernel, bias], source_label=f"a {kernel.shape} kernel and a ({units},) bias")
    return model, lambda x: standardized(x, mean, std) @ kernel + bias, layer


def test_standardize_computes_the_formula(submission):
    scenario, cls = standardize()
    mean, std = standardize_stats()
    layer = scenario.new(cls, mean=mean, std=std)
    rng = generator(1202)
    inputs = [rng.normal(size=(4, 5)).astype("float32"), rng.normal(size=(2, 3, 5)).astype("float32")]
    outputs = [scenario.call(layer, x) for x in inputs]
    facts = play(submission, scenario, cls)
    for x, output in zip(inputs, outputs, strict=True):
        got = expect_array(f"{layer.label}(x)", facts[output])
        expect_close(f"Standardize(mean, std) on a batch of shape {x.shape}", got, standardized(x, mean, std), atol=1e-5,
                     why="each feature (last axis) has its own mean and std: (x - mean) / std", hint=FORMULA_HINT)


def test_config_round_trip(submission):
    scenario, cls = standardize()
    mean, std = standardize_stats()
    layer = scenario.new(cls, mean=mean, std=std, name="standardize_probe")
    config_step = scenario.config(layer)
    clone = scenario.from_config(cls, layer)
    x = generator(1203).normal(size=(3, 5)).astype("float32")
    clone_output = scenario.call(clone, x)
    facts = play(submission, scenario, cls)
    fact = facts[config_step]
    if fact["not_implemented"] is not None:
        if not fact["not_implemented"]:
            raise submission.not_implemented("Standardize.get_config()")
        raise CheckFailure(
            "Standardize has no get_config(), and Keras cannot write its config by itself",
            expected="get_config() returning the base config plus 'mean' and 'std'",
            got=fact["not_implemented"][:160],
            why="Keras writes a layer's config for you only when every argument given to __init__ is a "
            "plain str, int, float, bool or None; mean and std are numpy arrays, so the layer must say "
            "how to rebuild itself",
            hint="give Standardize a get_config that starts from the base class's config and adds mean and std",
        )
    config = fact["config"]
    if config is None:
        raise CheckFailure(f"Standardize.get_config() returned a {fact['type']}; expected a dict",
                           hint="start from the base class's config, add mean and std, return it")
    missing = [key for key in ("mean", "std", "name") if key not in config]
    if missing:
        raise CheckFailure(
            f"Standardize.get_config() has no {' or '.join(repr(k) for k in missing)} key",
            expected="the keys 'mean', 'std' and those of super().get_config() (name, trainable, dtype)",
            got=sorted(config),
            why="from_config(config) calls Standardize(**config): every constructor argument must be in it",
            hint="start from the base class's config and add mean and std as plain lists",
        )
    if fact["json_error"]:
        raise CheckFailure(
            "Standardize.get_config() holds values that a .keras file cannot give back as they are",
            expected="mean and std as plain lists (.tolist())", got=fact["json_error"],
            why="the file stores the config as JSON; Keras writes a numpy array there as a tagged dict "
            "({'class_name': '__numpy__', ...}), and loading passes that dict to __init__ unchanged",
            hint="add mean and std to the config as plain lists (an array has .tolist())",
        )
    got = expect_array("the output of the layer rebuilt from its config", facts[clone_output])
    expect_close("Standardize.from_config(layer.get_config()) on a (3, 5) batch", got, standardized(x, mean, std), atol=1e-5,
                 why="rebuilt from its config, the layer must standardize with the same mean and std",
                 hint="store in the config the values passed to __init__, and accept them back (np.asarray)")


def test_class_is_registered(submission):
    scenario, cls = standardize()
    mean, std = standardize_stats()
    scenario.new(cls, mean=mean, std=std)  # the class must work before its registration counts
    name_step = scenario.registered_name(cls)
    facts = play(submission, scenario, cls)
    fact = facts[name_step]
    if ">" not in fact["name"]:
        raise CheckFailure(
            "Standardize is not registered with Keras' serialization",
            expected="a registered name such as 'course>Standardize'", got=repr(fact["name"]),
            why="a .keras file names each layer's class; keras.saving.load_model finds a class of your own "
            "only if it was registered under that name (or is passed in custom_objects each time)",
            hint='put @keras.saving.register_keras_serializable(package="course") on the line above '
            "`class Standardize`",
        )
    if not fact["found"]:
        raise CheckFailure(
            f"Keras finds another class than Standardize under its registered name {fact['name']!r}",
            why="registering a second class under the same package and name replaces the first",
            hint="register Standardize once, with a package name of its own",
        )


def test_round_trip_gives_identical_outputs(submission):
    scenario, cls = standardize()
    mean, std = standardize_stats()
    model, computes, layer = model_with_standardize(scenario, cls, mean, std, (5,), 3, seed=1204)
    x = generator(1205).normal(size=(6, 5)).astype("float32")
    before = scenario.call(model, x)
    saved = scenario.save_and_reload(model, "save_and_reload")
    after = scenario.call(saved, x)
    in_file = scenario.read_saved(saved, x)
    config = scenario.config(layer)
    facts = play(submission, scenario, cls)
    got_before = expect_array("the model's output before saving", facts[before])
    expect_close("Input → Standardize → Dense(3), before saving", got_before, computes(x), atol=1e-4,
                 why="Standardize computes (x - mean) / std; the Dense layer has the grader's weights",
                 hint=FORMULA_HINT)
    expect_saved_and_reloaded(facts[saved], "save_and_reload(model, directory)")
    got_after = expect_array("the reloaded model's output", facts[after])
    expect_close("the reloaded model's output on the same batch", got_after, got_before, atol=1e-6, rtol=1e-6,
                 why="a .keras file holds the architecture, every layer's config and the weights: the model "
                 "loaded from it computes exactly what the saved one computed",
                 hint="save with model.save(path) (a path ending in .keras) and load with keras.saving.load_model(path)")
    expect_file_computes(facts[in_file], x, computes(x))
    expect_config_gives_back(facts[config], mean, std)


def test_saved_file_loads_without_custom_objects(submission):
    scenario, cls = standardize()
    mean, std = standardize_stats()
    model, computes, layer = model_with_standardize(scenario, cls, mean, std, (5,), 2, seed=1206)
    saved = scenario.save_and_reload(model, "save_and_reload")
    loaded = scenario.load_saved(saved)
    x = generator(1207).normal(size=(4, 5)).astype("float32")
    output = scenario.call(loaded, x)
    in_file = scenario.read_saved(saved, x)
    config = scenario.config(layer)
    facts = play(submission, scenario, cls)
    expect_saved_and_reloaded(facts[saved], "save_and_reload(model, directory)")
    expect_loads_without_custom_objects(facts[loaded])
    expect_close("the model the grader loaded from your file", expect_array("its output", facts[output]),
                 computes(x), atol=1e-4,
                 why="the file holds the model's layers, their configs and the weights the grader gave it")
    expect_registered_in_file(facts[in_file])
    expect_file_computes(facts[in_file], x, computes(x))
    expect_config_gives_back(facts[config], mean, std)


def test_frozen_classifier_output_shape_and_parameters(submission):
    frozen = frozen_classifier(submission, reference_base(BASE_SEED), 3)
    shape = tuple(predict_numpy(frozen.model, np.zeros((2, BASE_INPUT), dtype="float32")).shape)
    if shape != (2, 3):
        raise CheckFailure(f"the new model outputs shape {shape} for a batch of 2; expected (2, 3)",
                           expected="(2, 3): one logit per class", got=shape,
                           hint="end with keras.layers.Dense(num_classes) on base's output, no activation")
    trainable, head = trainable_count(frozen.model), BASE_UNITS[-1] * 3 + 3
    if trainable != head:
        raise CheckFailure(
            f"the new model has {trainable:,} trainable parameters; expected {head} = {BASE_UNITS[-1]} features × "
            "3 classes + 3 biases (the new head only)",
            expected=f"{head} trainable", got=f"{trainable:,} trainable",
            why=f"only the new Dense head learns; base's {sum(v.size for v in frozen.base_values)} parameters "
            "stay frozen" + (" (0 trainable: the head is frozen too)" if trainable == 0 else ""),
            hint="freeze base as a whole (a layer and a model both have a trainable attribute), then put a new Dense head after it",
        )


def test_features_come_from_the_base(submission):
    frozen = frozen_classifier(submission, reference_base(BASE_SEED), 3)
    frozen.initialise_head(1210)
    kernel, bias = (v.numpy() for v in frozen.head())
    x = generator(1210).normal(size=(5, BASE_INPUT)).astype("float32")
    expect_close("the new model's logits", predict_numpy(frozen.model, x), frozen.features(x) @ kernel + bias,
                 atol=1e-4, why="the model is base, with the weights it came with, followed by the new head: "
                 "logits = head(base(x))",
                 hint="build the new model on base's output; do not clone, rebuild or re-initialise base")


def test_frozen_weights_do_not_move_under_fit(submission):
    frozen = frozen_classifier(submission, reference_base(BASE_SEED), 3)
    variables = frozen.base_variables()
    train_briefly(frozen, seed=1212)
    moved = [(frozen.base_weight_name(i), float(np.max(np.abs(v.numpy() - before))))
             for i, (v, before) in enumerate(zip(variables, frozen.base_values, strict=True))
             if not np.array_equal(v.numpy(), before)]
    if moved:
        raise CheckFailure(
            f"base's weights moved during fit: {len(moved)} of {len(variables)} changed (first: {moved[0][0]})",
            expected="base's weights exactly as they were", got=f"changes of up to {max(c for _, c in moved):.3g}",
            why="fit updates every trainable weight; a frozen feature extractor is one whose weights are not "
            "trainable (layer.trainable = False)",
            hint="freeze base (its trainable attribute) before you build and return the new model",
        )


def test_head_learns_under_fit(submission):
    frozen = frozen_classifier(submission, reference_base(BASE_SEED), 3)
    frozen.initialise_head(1214)
    head = frozen.head()
    before = [v.numpy().copy() for v in head]
    if trainable_count(frozen.model) == 0:
        raise CheckFailure(
            "the new model has no trainable weights, so fit cannot change anything",
            expected=f"the new Dense head trainable ({BASE_UNITS[-1] * 3 + 3} parameters)",
            got="0 trainable parameters",
            why="freezing the whole new model (model.trainable = False) freezes the new head too",
            hint="freeze base only; leave the new Dense layer trainable",
        )
    train_briefly(frozen, seed=1214)
    if all(np.array_equal(v.numpy(), b) for v, b in zip(head, before, strict=True)):
        raise CheckFailure(
            "the new head's weights did not change during fit",
            expected="the Dense head's kernel and bias updated by fit", got="unchanged",
            why="the head is the part that must learn the new task",
            hint="leave the new Dense layer trainable (the default); freeze base only",
        )
