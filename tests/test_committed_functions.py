"""Functions of the learner's own inside a model (grader.grade.functions): committed as traced graphs in the
student's process, identified in the grader's by what they compute on inputs drawn after the commit."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest

from grader.grade.challenge import Commitments
from grader.grade.functions import CHALLENGED, MARKER, function_secrets, resolve_functions
from grader.grade.values import NotTransferable, encode, rebuild_model


def _model(activation):
    return keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, activation=activation),
                             keras.layers.Dense(2, activation=lambda z: z)])


def _run_committed(commit: Commitments, k: int, x: np.ndarray) -> np.ndarray:
    """What the challenger would measure: the committed function run on the grader's input."""
    obj, kwargs, *_ = commit.calls[k]
    return np.asarray(obj(x, **kwargs), dtype="float32")


def test_a_lambda_activation_is_sent_as_a_marker_and_rebuilt_as_the_keras_activation_it_computes():
    commit, arrays = Commitments(), []
    model = _model(lambda z: keras.ops.maximum(z, 0.0))
    encoded = encode(model, arrays, commit=commit)
    assert model.layers[0].activation(np.array([-1.0], "float32"))[0] == 0  # the learner's model is left as it was
    results = {"probe": {"value": encoded}}
    secrets = function_secrets(results, np.random.default_rng(1))
    assert len(secrets) == 2 and MARKER in encoded["model"]
    resolve_functions(results, secrets, {k: _run_committed(commit, k, s.x) for k, s in secrets.items()})
    layers = json.loads(results["probe"]["value"]["model"])["config"]["layers"]
    assert [layer["config"].get("activation") for layer in layers if layer["class_name"] == "Dense"] == \
        ["relu", "linear"]
    rebuilt = rebuild_model(results["probe"]["value"]["model"], [arrays[i] for i in encoded["weights"]])
    x = np.random.default_rng(2).normal(size=(5, 4)).astype("float32")
    np.testing.assert_allclose(np.asarray(rebuilt(x)), np.asarray(model(x)), rtol=1e-5, atol=1e-6)


def test_an_activation_that_computes_no_keras_activation_cannot_be_rebuilt_and_says_why():
    commit, arrays = Commitments(), []
    encoded = encode(_model(lambda z: z * 3.0 + 1.0), arrays, commit=commit)
    results = {"probe": {"value": encoded}}
    secrets = function_secrets(results, np.random.default_rng(1))
    resolve_functions(results, secrets, {k: _run_committed(commit, k, s.x) for k, s in secrets.items()})
    with pytest.raises(NotTransferable, match="computes none of Keras' activations"):
        rebuild_model(results["probe"]["value"]["model"], [arrays[i] for i in encoded["weights"]])


def test_a_loss_function_of_the_learners_own_becomes_the_keras_cross_entropy_it_computes():
    def logits_loss(y_true, y_pred):
        return keras.losses.sparse_categorical_crossentropy(y_true, y_pred, from_logits=True)

    commit = Commitments()
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(10)])
    model.compile(optimizer="rmsprop", loss=logits_loss)
    results = {"probe": {"value": None, "compiled": [encode_compiled(model, commit)]}}
    secrets = function_secrets(results, np.random.default_rng(3))
    (k,) = secrets
    resolve_functions(results, secrets, {k: _run_committed(commit, k, secrets[k].x)})
    loss = json.loads(results["probe"]["compiled"][0])["loss"]
    assert loss["class_name"] == "SparseCategoricalCrossentropy" and loss["config"]["from_logits"] is True


def encode_compiled(model, commit) -> str:
    from grader.grade.values import compile_config_json

    return compile_config_json(model, commit)


def test_markers_the_grader_did_not_challenge_are_refused_not_trusted():
    forged = json.dumps({"class_name": "Sequential", "config": {"layers": [
        {"class_name": "Dense", "config": {"name": "d", "units": 1, "activation": {MARKER: 7, "kind": "activation"}}}]}})
    results = {"probe": {"value": {"model": forged}}}
    resolve_functions(results, {}, {})  # nothing committed: the marker cannot stand for anything
    with pytest.raises(NotTransferable, match="could not identify"):
        rebuild_model(results["probe"]["value"]["model"], [])
    marker = json.dumps({MARKER: 0, "kind": "activation"})
    for depth in (150, 5000):  # deeper than the grader reads, and deeper than Python's JSON parser goes
        deep = {"probe": {"value": {"model": "[" * depth + marker + "]" * depth}}}
        assert function_secrets(deep, np.random.default_rng(0)) == {}  # left as it is: rebuilding refuses it


def _lambda_model(function):
    return keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3), keras.layers.Lambda(function),
                             keras.layers.Dense(2)])


def _challenged(model, commit, arrays) -> tuple[dict, dict]:
    encoded = encode(model, arrays, commit=commit)
    results = {"probe": {"value": encoded}}
    secrets = function_secrets(results, np.random.default_rng(1))
    resolve_functions(results, secrets, {k: _run_committed(commit, k, s.x) for k, s in secrets.items()})
    return encoded, results


def test_a_lambda_layer_of_python_code_is_rebuilt_as_a_lambda_of_the_keras_activation_it_computes():
    """Judged by what it computes: `Lambda(lambda t: ops.maximum(t, 0))` is committed, challenged and rebuilt
    as `Lambda(keras.activations.relu)`, so batch grading takes the model that `course check` takes."""
    commit, arrays = Commitments(), []
    model = _lambda_model(lambda t: keras.ops.maximum(t, 0.0))
    encoded, results = _challenged(model, commit, arrays)
    assert model.layers[1].function(np.array([-1.0], "float32"))[0] == 0  # the learner's model is left as it was
    (layer,) = [la for la in json.loads(results["probe"]["value"]["model"])["config"]["layers"]
                if la["class_name"] == "Lambda"]
    assert layer["config"]["function"][CHALLENGED]["config"] == "relu" and layer["config"]["function"]["shape"] == [3]
    rebuilt = rebuild_model(results["probe"]["value"]["model"], [arrays[i] for i in encoded["weights"]])
    x = np.random.default_rng(2).normal(size=(5, 4)).astype("float32")
    np.testing.assert_allclose(np.asarray(rebuilt(x)), np.asarray(model(x)), rtol=1e-5, atol=1e-6)


def test_a_lambda_layer_that_computes_no_keras_activation_cannot_be_rebuilt_and_says_why():
    commit, arrays = Commitments(), []
    encoded, results = _challenged(_lambda_model(lambda t: t * 3.0 + 1.0), commit, arrays)
    with pytest.raises(NotTransferable, match="a Lambda function of your own .* computes none of Keras' activations"):
        rebuild_model(results["probe"]["value"]["model"], [arrays[i] for i in encoded["weights"]])


@pytest.mark.parametrize("function", [keras.activations.relu, keras.ops.relu, keras.activations.sigmoid])
def test_a_lambda_of_a_keras_activation_travels_by_name_and_no_other_name_is_taken(function):
    commit, arrays = Commitments(), []
    model = _lambda_model(function)
    encoded = encode(model, arrays, commit=commit)
    assert not commit.calls  # nothing of the learner's to commit: the config names the function
    rebuilt = rebuild_model(encoded["model"], [arrays[i] for i in encoded["weights"]])
    x = np.random.default_rng(2).normal(size=(5, 4)).astype("float32")
    np.testing.assert_allclose(np.asarray(rebuilt(x)), np.asarray(model(x)), rtol=1e-5, atol=1e-6)
    name = function.__name__
    for forged in ("get", "serialize", "deserialize", "eval", "exit", "course>Standardize", "__import__"):
        with pytest.raises(NotTransferable, match="a Lambda layer"):
            rebuild_model(encoded["model"].replace(f'"config": "{name}"', f'"config": "{forged}"'), [])


def test_a_lambda_layer_that_flattens_each_example_is_rebuilt_as_flatten():
    commit, arrays = Commitments(), []
    model = keras.Sequential([keras.Input(shape=(7, 4)), keras.layers.Lambda(lambda t: keras.ops.reshape(t, (-1, 28))),
                              keras.layers.Dense(3)])
    encoded, results = _challenged(model, commit, arrays)
    rebuilt = rebuild_model(results["probe"]["value"]["model"], [arrays[i] for i in encoded["weights"]])
    assert [type(layer).__name__ for layer in rebuilt.layers] == ["Flatten", "Dense"]
    x = np.random.default_rng(2).normal(size=(5, 7, 4)).astype("float32")
    np.testing.assert_allclose(np.asarray(rebuilt(x)), np.asarray(model(x)), rtol=1e-5, atol=1e-6)
    # the transposed order flattens too, but into other positions: not the lesson's Flatten
    swapped = keras.Sequential([keras.Input(shape=(7, 4)), keras.layers.Lambda(
        lambda t: keras.ops.reshape(keras.ops.transpose(t, (0, 2, 1)), (-1, 28))), keras.layers.Dense(3)])
    encoded, results = _challenged(swapped, Commitments(), arrays)
    with pytest.raises(NotTransferable, match="a Lambda function of your own"):
        rebuild_model(results["probe"]["value"]["model"], [])


def test_a_lambda_is_judged_only_on_the_shape_of_examples_the_model_gives_it():
    """The shape in a Lambda marker is the process's word. A column-major flatten (wrong: exercise 1's
    lesson) committed on examples of shape (1, 784), where both orders agree, resolves to Flatten; sent in a
    model that gives the layer (28, 28) images, it would have been rebuilt as the lesson's Flatten and passed
    the row-major check. The rebuilt layer's real input shape must be the challenged one."""
    def column_major(t):
        return keras.ops.reshape(keras.ops.transpose(t, (0, 2, 1)), (-1, 784))

    commit, arrays = Commitments(), []
    claimed = keras.Sequential([keras.Input(shape=(1, 784)), keras.layers.Lambda(column_major), keras.layers.Dense(3)])
    encoded, results = _challenged(claimed, commit, arrays)
    sent = json.loads(results["probe"]["value"]["model"])
    assert sent["config"]["layers"][1]["config"]["function"]["shape"] == [1, 784]  # identified as a flatten there
    weights = [arrays[i] for i in encoded["weights"]]
    assert [type(la).__name__ for la in rebuild_model(json.dumps(sent), weights).layers] == ["Flatten", "Dense"]
    for layer in sent["config"]["layers"]:  # the same layers behind the images the exercise gives
        if layer["class_name"] == "InputLayer":
            layer["config"]["batch_shape"] = [None, 28, 28]
    sent.pop("build_config", None)
    sent["config"].pop("build_input_shape", None)
    with pytest.raises(NotTransferable, match=r"committed on examples of shape \(1, 784\), where the model gives it "
                                              r"examples of shape \(28, 28\)"):
        rebuild_model(json.dumps(sent), weights)
    unbuilt = {**sent, "config": {**sent["config"], "layers": sent["config"]["layers"][1:]}}  # no input shape at all
    with pytest.raises(NotTransferable, match="where the model gives it no known input shape"):
        rebuild_model(json.dumps(unbuilt), [])


def test_a_shared_lambda_is_judged_on_every_call_it_has():
    """One Lambda called on 12 values (where it was challenged, and is a ReLU) and again on 128 (where it
    computes nothing of the kind): the second call was never challenged, so the model is refused."""
    def relu_on_twelve(z):
        return keras.ops.maximum(z, 0.0) if z.shape[-1] == 12 else z * 3.0

    x = keras.Input(shape=(4,))
    act = keras.layers.Lambda(relu_on_twelve)
    both = keras.layers.Concatenate()([act(keras.layers.Dense(12)(x)), act(keras.layers.Dense(128)(x))])
    model = keras.Model(x, keras.layers.Dense(3)(both))
    encoded, results = _challenged(model, Commitments(), arrays := [])
    with pytest.raises(NotTransferable, match=r"examples of shape \(12,\), where the model gives it examples "
                                              r"of shape \(128,\)"):
        rebuild_model(results["probe"]["value"]["model"], [arrays[i] for i in encoded["weights"]])


def test_a_lambda_in_a_model_without_an_input_shape_is_challenged_on_the_default_shape():
    """A model without an input shape gives its Lambda no shape in the student's process either: it is
    challenged on the default (12,) and rebuilt as the ReLU it computes there, so the honest answer that
    `course check` accepts is accepted in batch too (the checks build it later, on 128 values here). A claim of
    another shape for a layer that has no call yet is refused (test above)."""
    wide = keras.Sequential([keras.layers.Dense(128), keras.layers.Lambda(lambda z: keras.ops.maximum(z, 0.0))])
    encoded, results = _challenged(wide, Commitments(), [])
    assert json.loads(results["probe"]["value"]["model"])["config"]["layers"][1]["config"]["function"]["shape"] == [12]
    rebuilt = rebuild_model(results["probe"]["value"]["model"], [])
    out = np.asarray(rebuilt(np.ones((2, 5), "float32")))
    assert out.shape == (2, 128) and out.min() >= 0.0


def test_two_layers_of_one_name_with_a_function_of_the_learner_s_own_are_refused():
    """Markers are placed by layer name, and a nested model may reuse a name: a wrong outer function named like
    a correct inner one would have been rebuilt as the inner one."""
    inner = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Lambda(lambda t: keras.ops.maximum(t, 0.0),
                                                                           name="act")])
    outer = keras.Sequential([keras.Input(shape=(4,)), inner, keras.layers.Lambda(lambda t: t * 3.0, name="act")])
    with pytest.raises(NotTransferable, match="two layers named 'act'"):
        encode(outer, [], commit=Commitments())


@pytest.mark.parametrize("shape", [[10**9], [300, 300, 300], "28", [-1, 28], [1, 2, 3, 4, 5], [True]])
def test_a_lambda_marker_s_shape_is_the_process_word_and_bounded(shape):
    """The example shape a Lambda marker names sets the challenge input's size: an implausible one is
    replaced, never allocated."""
    forged = {"probe": {"value": {"model": json.dumps({MARKER: 0, "kind": "Lambda function", "shape": shape})}}}
    (secret,) = function_secrets(forged, np.random.default_rng(0)).values()
    assert secret.x.shape == (8, 12)


def test_a_correct_loss_is_read_as_what_it_is_under_every_key():
    """Batch grading draws the loss probe with each run's key: on some draws the mean cross-entropy of the
    scores read as logits equalled the one read as probabilities, and a correct loss for a softmax output
    was read as `from_logits=True` (an independent student's capstone lost 2 points on 2 of about 30 runs;
    key 548 below is one such draw). Each configuration is read as itself under these keys."""
    from grader.checks.inputs import drawn_with
    from grader.checks.losses import expect_cross_entropy, read_loss

    configurations = {(from_logits, reduction): keras.losses.SparseCategoricalCrossentropy(
        from_logits=from_logits, reduction="sum" if reduction == "sum" else "sum_over_batch_size")
        for from_logits in (True, False) for reduction in ("mean", "sum")}
    for key in [548, *range(30)]:
        with drawn_with(key.to_bytes(32, "big")):
            for (from_logits, reduction), loss in configurations.items():
                reading = read_loss(loss)
                assert (reading.from_logits, reading.reduction) == (from_logits, reduction), key
            expect_cross_entropy(keras.losses.get("sparse_categorical_crossentropy"), outputs_are_logits=False)


def _minus_log_of_the_right_probability(y_true, y_pred):
    labels = keras.ops.reshape(keras.ops.cast(y_true, "int32"), (-1, 1))
    return keras.ops.mean(-keras.ops.log(keras.ops.clip(keras.ops.take_along_axis(y_pred, labels, axis=-1), 1e-7, 1.0)))


PROBABILITY_LOSSES = {  # every one the mean cross-entropy of a softmax output, each written its own way
    "by hand": _minus_log_of_the_right_probability,
    "categorical on one-hot labels": lambda y, p: keras.losses.categorical_crossentropy(
        keras.ops.one_hot(keras.ops.cast(y, "int32"), 10), p),
    "Keras' sparse function": lambda y, p: keras.losses.sparse_categorical_crossentropy(y, p),
}


@pytest.mark.parametrize("spelling", PROBABILITY_LOSSES)
def test_every_spelling_of_a_loss_of_probabilities_is_read_as_the_cross_entropy(spelling):
    """Keras' sparse cross-entropy clips then normalises the scores, its categorical one normalises then
    clips, one written by hand does neither: on the old probes (scores not summing to 1) they differed, and
    a correct loss of a softmax output read as no cross-entropy at all (2 points of exercise 11, in `course
    check` and in batch grading alike). On probability rows, what a softmax gives, they agree: in `course
    check` (read_loss) and in the challenge of batch grading (the committed loss identified as Keras' own),
    under every key."""
    from grader.checks.inputs import drawn_with
    from grader.checks.losses import read_loss
    from grader.grade.functions import LOSS, FunctionSecret, _identify, _loss_challenge, _LossOnRows

    fn = PROBABILITY_LOSSES[spelling]
    for key in range(20):
        with drawn_with(key.to_bytes(32, "big")):
            reading = read_loss(fn)
        assert (reading.from_logits, reading.reduction) == (False, "mean"), key
        rows = _loss_challenge(np.random.default_rng(key))
        measured = np.asarray(_LossOnRows(fn)(keras.ops.convert_to_tensor(rows)), dtype="float32")
        found = _identify(FunctionSecret(0, LOSS, rows), measured)
        assert found is not None and found["config"]["from_logits"] is False, (key, found)
        assert found["config"]["reduction"] == "sum_over_batch_size", (key, found)


def test_a_flood_of_function_markers_costs_the_grader_a_bounded_challenge():
    """The markers in a reply are the process's word: a reply that names thousands of functions, or
    functions on the largest inputs a marker may name, gets at most MAX_FUNCTIONS challenge inputs holding
    at most MAX_CHALLENGE_VALUES values in all (the grader's own process draws them: unbounded, one
    student's reply could have taken the whole class's grader out of memory); every other marker stays
    unchallenged, and rebuilding refuses it saying why."""
    from grader.grade.functions import LAMBDA, MAX_CHALLENGE_VALUES, MAX_FUNCTIONS

    many = [{MARKER: k, "kind": LAMBDA, "shape": [12]} for k in range(1000)]
    large = [{MARKER: 1000 + k, "kind": LAMBDA, "shape": [65536]} for k in range(40)]
    for markers in (many, large):
        results = {"probe": {"value": None, "compiled": [json.dumps(markers)]}}
        secrets = function_secrets(results, np.random.default_rng(0))
        assert 0 < len(secrets) <= MAX_FUNCTIONS
        assert sum(s.x.size for s in secrets.values()) <= MAX_CHALLENGE_VALUES
        resolve_functions(results, secrets, {})
        whys = [m["why"] for m in json.loads(results["probe"]["compiled"][0])]
        assert sum(f"at most {MAX_FUNCTIONS} functions" in why for why in whys) == len(markers) - len(secrets)


@pytest.mark.parametrize("name", ["set_max_epochs", "set_floatx", "set_random_seed"])
def test_a_config_naming_a_keras_function_where_a_class_belongs_is_refused(name):
    """Keras' deserialisation hands back a function named as a class (`{"module": "keras.config",
    "class_name": "set_max_epochs"}`) as the function itself, which would then run in the grader's own
    process (as an activation, or a learning-rate schedule): refused, as any function outside Keras'
    activations, operations, losses and metrics is."""
    module = "keras.utils" if name == "set_random_seed" else "keras.config"
    honest = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1, activation="tanh")]).to_json()
    assert honest.count('"activation": "tanh"') == 1
    rebuild_model(honest, [])
    forged = honest.replace('"activation": "tanh"', '"activation": ' + json.dumps(
        {"module": module, "class_name": name, "config": {}, "registered_name": None}))
    with pytest.raises(NotTransferable, match=f"the function {module}.{name} where a class belongs"):
        rebuild_model(forged, [])
