"""Scenarios (grader.checks.scenario): played in-process and through record and replay, with the same
facts; a failing step fails every later fact with the learner's error; malformed replies are refused."""

from __future__ import annotations

import numpy as np
import pytest

from grader.checks import CheckFailure, NotImplementedYet, Scenario
from grader.checks.submission import load_submission
from grader.grade.entries import Replay
from grader.grade.replay import RecordingSubmission, ReplaySubmission, run_probes
from grader.grade.values import pack, unpack

LEARNER = '''
import keras


class Doubler(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        if units <= 0:
            raise ValueError(f"units must be positive, received units={units}")
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[-1], self.units))

    def call(self, inputs):
        if inputs.shape[-1] == 5:
            raise RuntimeError("five features are one too many")
        return 2 * keras.ops.matmul(inputs, self.kernel)


class Stub(keras.layers.Layer):
    def __init__(self, **kwargs):
        raise NotImplementedError
'''


@pytest.fixture
def submission(tmp_path):
    path = tmp_path / "08_custom_layer.py"
    path.write_text(LEARNER)
    return load_submission(path, "08")


def scenario_with_a_failing_call():
    scenario = Scenario()
    cls = scenario.learner_class("Doubler")
    layer = scenario.new(cls, 2)
    before = scenario.variables(layer)
    ok = scenario.call(layer, np.ones((1, 3), dtype="float32"))
    refused = scenario.attempt_new(cls, 0)
    failing = scenario.call(scenario.new(cls, 2), np.ones((1, 5), dtype="float32"))
    after = scenario.variables(layer)
    return scenario, dict(cls=cls, before=before, ok=ok, refused=refused, failing=failing, after=after)


def expect_facts(facts, refs) -> None:
    assert facts[refs["cls"]]["is_class"] and any(n.endswith(".Layer") for n in facts[refs["cls"]]["mro"])
    assert facts[refs["before"]] == []
    assert facts[refs["ok"]].shape == (1, 2)
    assert facts[refs["refused"]]["raised"] == "ValueError" and "units=0" in facts[refs["refused"]]["message"]
    for later in ("failing", "after"):  # the failing step, and every step after it
        with pytest.raises(CheckFailure, match=r"raised RuntimeError[^$]*five features are one too many"):
            facts[refs[later]]


def test_a_scenario_played_in_process(submission):
    scenario, refs = scenario_with_a_failing_call()
    expect_facts(submission.run(scenario), refs)


def test_a_scenario_recorded_and_replayed_gives_the_same_facts(submission):
    scenario, refs = scenario_with_a_failing_call()
    probes, flags = {}, {}
    RecordingSubmission(submission, probes, flags).run(scenario)
    assert not flags.get("direct_access") and len(probes) == 1
    header, arrays = unpack(pack(*run_probes(submission, list(probes.values()))))  # across the wire format
    replayed = ReplaySubmission(submission.path, "08", header, arrays).run(scenario)
    expect_facts(replayed, refs)
    local = submission.run(scenario)
    assert np.array_equal(replayed[refs["ok"]], local[refs["ok"]])  # same seed, same initial weights


def test_an_untouched_stub_is_reported_as_such(submission):
    scenario = Scenario()
    made = scenario.new(scenario.learner_class("Stub"))
    with pytest.raises(NotImplementedYet, match="not implemented yet"):
        submission.run(scenario)[made]


def test_malformed_or_unrecorded_replies_are_refused(submission):
    scenario, refs = scenario_with_a_failing_call()
    probes = {}
    RecordingSubmission(submission, probes, {}).run(scenario)
    header, arrays = run_probes(submission, list(probes.values()))
    (entry,) = header["results"].values()
    entry["value"] = {"list": [{"list": ["ok"]}]}  # one outcome for seven steps, and of the wrong form
    with pytest.raises(CheckFailure, match="could not read what your classes did"):
        ReplaySubmission(submission.path, "08", header, arrays).run(scenario)
    other = Scenario()
    other.learner_class("Doubler")
    with pytest.raises(CheckFailure, match="did not record"):
        ReplaySubmission(submission.path, "08", header, arrays).run(other)


def test_a_public_check_never_reads_an_answer_given_after_the_hidden_probes(submission):
    """Answers recorded in the hidden part (played after every public probe) reach hidden checks only."""
    from grader.pytest_plugin import _IN_HIDDEN_CHECK

    scenario, _ = scenario_with_a_failing_call()
    probes = {}
    RecordingSubmission(submission, probes, {}).run(scenario)
    hidden_part = run_probes(submission, list(probes.values()))
    replay = ReplaySubmission(submission.path, "08", {"results": {}, "notes": []}, [], hidden=Replay(*hidden_part))
    with pytest.raises(CheckFailure, match="did not record"):
        replay.run(scenario)
    token = _IN_HIDDEN_CHECK.set(True)
    try:
        assert replay.run(scenario).outcomes
    finally:
        _IN_HIDDEN_CHECK.reset(token)


def test_committed_calls_run_on_the_real_inputs_and_weights_give_the_in_process_facts(submission, tmp_path):
    """Commit, then challenge (grader.grade.challenge), without the processes: the learner's layer plays
    on decoys, commits to its traced calls, and the saved graph, given the real weights and inputs, gives
    the facts `course check` gives; a fact invented without a commitment fails the whole scenario."""
    from grader.grade.challenge import (
        Commitments,
        PendingChallenge,
        _challenge,
        apply_challenges,
        challenge_items,
        with_decoys,
    )
    from grader.grade.replay import answer_probe

    scenario = Scenario()
    layer = scenario.new(scenario.learner_class("Doubler"), 3)
    x = np.random.default_rng(1).normal(size=(4, 2)).astype("float32")
    scenario.call(layer, x)
    weights = [np.random.default_rng(2).normal(size=(2, 3)).astype("float32")]
    scenario.assign(layer, weights, source_label="a (2, 3) kernel")
    output, variables = scenario.call(layer, x), scenario.variables(layer)
    probes = {}
    RecordingSubmission(submission, probes, {}).run(scenario)
    (probe,) = probes.values()
    sent, secrets = with_decoys(probe, np.random.default_rng(3))
    assert not np.array_equal(sent.args[0][3][2][1][0], weights[0])  # the process never gets the real kernel
    commitments = Commitments()
    entry, arrays = answer_probe(submission, sent, commitments)
    committed, committed_arrays = commitments.save(tmp_path / "saved")
    header = {"results": {probe.key: entry}}
    pending = PendingChallenge(header, arrays, {probe.key: secrets}, committed, committed_arrays)
    artefact, items, places = challenge_items(pending)
    reply, reply_arrays = _challenge(artefact, items, tmp_path / "challenge")
    apply_challenges(pending, places, reply["outputs"], reply_arrays, None)
    replayed = ReplaySubmission(submission.path, "08", header, arrays).run(scenario)
    local = submission.run(scenario)
    assert np.allclose(replayed[output], local[output], atol=1e-6)
    assert np.allclose(replayed[output], 2 * x @ weights[0], atol=1e-5)
    assert replayed[variables] == local[variables]

    forged = {"list": [{"list": ["ok", None]}, {"list": ["ok", None]}, {"list": ["ok", {"array": 0}]},
                       {"list": ["ok", None]}, {"list": ["ok", {"array": 0}]}, {"list": ["ok", {"list": []}]}]}
    header = {"results": {probe.key: {"value": forged}}}
    apply_challenges(PendingChallenge(header, [x], {probe.key: secrets}, {}, []), [], [], [], None)
    with pytest.raises(CheckFailure, match="without committing"):
        ReplaySubmission(submission.path, "08", header, [x]).run(scenario)[output]



def test_infinite_numbers_in_a_reply_s_header_cost_only_that_reply():
    """JSON's Infinity, which Python's json reads as a float that int() cannot take (an outside attack
    named its committed files [Infinity]: an OverflowError, and the student's every exercise a "grader
    error" on every run), comes back as text; the commitments it names are simply not there."""
    from grader.grade.challenge import PendingChallenge, Secrets, challenge_items
    from grader.grade.values import pack

    packed = pack({}, [])
    arrays = packed[8 + int.from_bytes(packed[:8], "big"):]
    text = b'{"files": [Infinity], "artefact": -Infinity, "calls": [[[NaN, 0]]]}'
    header, _ = unpack(len(text).to_bytes(8, "big") + text + arrays)
    assert header["files"] == ["Infinity"] and header["artefact"] == "-Infinity"
    secrets = Secrets(files={0: np.zeros((1, 2), "float32")}, inputs={1: np.zeros((1, 2), "float32")})
    entry = {"value": {"list": [{"list": ["ok", {"dict": {"file_committed": {"int": "1e999"}}}]},
                                {"list": ["ok", {"dict": {"committed": {"int": "1e999"}}}]}]}}
    commitments = {"files": [float("inf")], "artefact": float("inf"), "calls": [[[float("inf"), 0]]]}
    pending = PendingChallenge({"results": {"k": entry}}, [], {"k": secrets}, commitments, [np.zeros(3, np.uint8)])
    assert challenge_items(pending) == (None, [], [])


def test_calls_of_one_object_on_one_signature_are_one_traced_function_each_with_its_own_weights(tmp_path):
    """Commitments.save traces a call once per object, keyword arguments and input signature: the
    SavedModel holds one function under both calls' names, and each call still runs with the weights it
    committed; a call with other keyword arguments is traced on its own."""
    import keras
    import tensorflow as tf

    from grader.grade.challenge import ChallengeItem, Commitments, _challenge

    layer = keras.layers.Dense(2, use_bias=False)
    x = np.ones((3, 4), dtype="float32")
    commitments = Commitments()
    commitments.call(layer, x, {}, lambda: layer(x))
    layer.set_weights([np.full((4, 2), 2.0, dtype="float32")])
    commitments.call(layer, x, {}, lambda: layer(x))
    commitments.call(layer, x, {"training": True}, lambda: layer(x, training=True))
    header, arrays = commitments.save(tmp_path / "saved")
    loaded = tf.saved_model.load(str(tmp_path / "saved"))
    assert loaded.call_0 is loaded.call_1 and loaded.call_2 is not loaded.call_0
    items = [ChallengeItem(k, x, [(v, arrays[a]) for v, a in header["calls"][k]]) for k in (0, 1)]
    reply, outputs = _challenge(arrays[header["artefact"]].tobytes(), items, tmp_path / "challenge")
    first = np.asarray(header["calls"][0][0][1])
    assert np.allclose(outputs[0], x @ arrays[first]) and np.allclose(outputs[1], 8.0)


def test_a_call_that_uses_state_beyond_the_objects_variables_is_still_committed(tmp_path, monkeypatch):
    """A layer whose graph reads a tf.Variable that Keras does not list among its variables cannot be saved
    from the variables alone: the learner's object is saved with the graph, and the call runs as before."""
    import keras
    import tensorflow as tf

    import grader.grade.challenge as challenge
    from grader.grade.challenge import ChallengeItem, Commitments, _challenge

    saves, save = [], challenge._save_module
    monkeypatch.setattr(challenge, "_save_module", lambda d, v, f, objects: saves.append(len(objects)) or save(d, v, f, objects))

    class Offset(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.offset = tf.Variable([1.0, 2.0])

        def call(self, inputs):
            return inputs + self.offset

    layer, x = Offset(), np.ones((2, 2), dtype="float32")
    assert layer.variables == []
    commitments = Commitments()
    commitments.call(layer, x, {}, lambda: layer(x))
    header, arrays = commitments.save(tmp_path / "saved")
    assert header["untraced"] == {} and saves == [0, 1]  # without the object, then with it
    reply, outputs = _challenge(arrays[header["artefact"]].tobytes(), [ChallengeItem(0, x, [])], tmp_path / "run")
    assert "error" not in reply["outputs"][0] and np.array_equal(outputs[0], [[2.0, 3.0], [2.0, 3.0]])

SAVER = '''
import os

import keras

DIRECTORIES = []


@keras.saving.register_keras_serializable(package="scenario_test")
class Shift(keras.layers.Layer):
    def __init__(self, by=1.0, **kwargs):
        super().__init__(**kwargs)
        self.by = by

    def call(self, inputs):
        return inputs + self.by

    def get_config(self):
        return {**super().get_config(), "by": self.by}


class Unregistered(Shift):
    pass


@keras.saving.register_keras_serializable(package="scenario_test")
class Swapped(Shift):
    @classmethod
    def from_config(cls, config):  # loading gives Keras' own layer in its place
        return keras.layers.Identity(name=config["name"])


def save_and_reload(model, directory):
    DIRECTORIES.append(directory)
    path = os.path.join(directory, "m.keras")
    model.save(path)
    return keras.saving.load_model(path, custom_objects={"Unregistered": Unregistered})
'''


def test_a_save_step_writes_into_a_fresh_directory_in_the_scratch_and_removes_it(tmp_path, monkeypatch):
    """`save_and_reload` hands the learner's function a new directory under the temporary folder (in batch
    grading: the private scratch), reports the files it wrote, and removes it when the scenario ends;
    `load_saved` loads that file with no custom_objects, so only a registered class loads."""
    import tempfile
    from pathlib import Path

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    path = tmp_path / "12_saving_and_freezing.py"
    path.write_text(SAVER)
    submission = load_submission(path, "12")
    scenario = Scenario()
    refs = {}
    for name in ("Shift", "Unregistered"):
        model = scenario.sequential((3,), [scenario.new(scenario.learner_class(name), by=2.0)])
        saved = scenario.save_and_reload(model, "save_and_reload")
        loaded = scenario.load_saved(saved)
        refs[name] = (saved, scenario.call(saved, np.ones((1, 3), dtype="float32")), loaded)
    facts = submission.run(scenario)
    for name, (saved, output, _) in refs.items():
        assert facts[saved] == {"files": ["m.keras"], "returned": "Sequential", "raised": None, "message": "",
                                "missing": []}, name
        assert np.array_equal(facts[output], np.full((1, 3), 3.0))
    assert facts[refs["Shift"][2]] == {"file": "m.keras", "raised": None, "message": "", "missing": []}
    refused = facts[refs["Unregistered"][2]]
    assert refused["raised"] == "TypeError" and refused["message"].startswith("Could not locate class 'Unregistered'")
    made = [Path(d) for d in submission.module.DIRECTORIES]
    assert len(set(made)) == 2 and all(d.parent == scratch and not d.exists() for d in made)


def test_a_model_loaded_back_without_the_learner_s_class_is_told_and_so_is_a_constructor_that_gives_another(
        tmp_path):
    """A from_config that gives Keras' own layer in the learner's class's place: the model `save_and_reload`
    returns and the one `load_saved` gives both say which class they lost; `from_config` and a constructor
    must give an instance of the class (grader.checks.scenario._instance_of)."""
    path = tmp_path / "12_saving_and_freezing.py"
    path.write_text(SAVER)
    submission = load_submission(path, "12")
    scenario = Scenario()
    cls = scenario.learner_class("Swapped")
    layer = scenario.new(cls, by=2.0)
    saved = scenario.save_and_reload(scenario.sequential((3,), [layer]), "save_and_reload")
    loaded = scenario.load_saved(saved)
    clone = scenario.from_config(cls, layer)
    facts = submission.run(scenario)
    assert facts[saved]["missing"] == ["Swapped"] and facts[loaded]["missing"] == ["Swapped"]
    with pytest.raises(CheckFailure, match="gave a Identity, not a Swapped"):
        facts[clone]


def test_an_object_that_lies_about_its_class_is_still_another_class():
    """isinstance() believes `__class__`, which an object may override; the scenario asks type()."""
    import keras

    from grader.checks.scenario import _holds, _instance_of

    class Standardize(keras.layers.Layer):
        pass

    class Liar(keras.layers.Identity):
        __class__ = property(lambda self: Standardize)

    liar = Liar()
    assert isinstance(liar, Standardize)  # what a check of isinstance would have believed
    with pytest.raises(CheckFailure, match="gave a Liar, not a Standardize"):
        _instance_of(Standardize, liar, "Standardize()")
    assert not _holds(keras.Sequential([keras.Input(shape=(2,)), liar]), Standardize)


BUILT_BY_HAND = '''
import keras


class Net(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = keras.layers.Dense(4)
        self.spare = keras.layers.Dropout(0.5)  # never called: it stays unbuilt

    def call(self, inputs):
        return self.hidden(inputs)


def built_by_hand():
    model = Net()
    model.build((None, 3))  # Keras 3 warns: no build() of its own, so no weights
    return model


def called():
    model = Net()
    model(keras.ops.zeros((1, 3)))
    return model
'''


def test_a_model_marked_built_without_weights_is_built_by_calling_it(tmp_path):
    """`model.build(shape)` on a subclassed model without a `build()` of its own leaves it marked built with
    no weights (Keras 3): a build step calls it, as it calls an unbuilt model, and says it did; a model
    that has its weights is left alone though one of its layers (never called) is not built."""
    from grader.checks.introspect import needs_building

    path = tmp_path / "09_subclassed_model.py"
    path.write_text(BUILT_BY_HAND)
    submission = load_submission(path, "09")
    scenario = Scenario()
    by_hand = scenario.learner_model("built_by_hand", label="built_by_hand()")
    by_hand_built = scenario.build(by_hand, (3,))
    by_hand_weights = scenario.variables(by_hand)
    called = scenario.learner_model("called", label="called()")
    called_built = scenario.build(called, (3,))
    facts = submission.run(scenario)
    assert facts[by_hand_built] is True
    assert [shape for _, shape in facts[by_hand_weights]] == [(3, 4), (4,)]
    assert facts[called_built] is False
    assert not needs_building(submission.call("called"))
    assert needs_building(submission.call("built_by_hand"))


REFERENCE_11 = '''
import keras


def build_model():
    return keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(), keras.layers.Dense(10)])


def compile_model(model):
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
'''

STUDENT_11 = '''
import keras

SEEN = []


def build_model():
    return keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                             keras.layers.Dense(10, activation="softmax", name="probabilities")])


def compile_model(model):
    SEEN.append([layer.name for layer in model.layers])
    soft = model.layers[-1].get_config()["activation"] == "softmax"
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=not soft))
'''


def test_compile_model_gets_the_student_s_own_model_never_the_reference_s(tmp_path):
    """Discovery runs the checks on the reference solution, so the model the checks pass to
    `compile_model(model)` is the reference's `build_model()`: the probe names that call instead
    (LearnerModel), and the student's process passes its own `build_model()`, built. Sent as a model, the
    reference answer reached every student's process, and a `compile_model` that reads its model compiled
    for the reference's logits instead of its own probabilities."""
    import keras

    from grader.grade.replay import LearnerModel, ModelArg, Probe, answer_probe

    (tmp_path / "reference").mkdir()
    (tmp_path / "student").mkdir()
    (tmp_path / "reference" / "11_capstone.py").write_text(REFERENCE_11)
    (tmp_path / "student" / "11_capstone.py").write_text(STUDENT_11)
    probes: dict[str, Probe] = {}
    recording = RecordingSubmission(load_submission(tmp_path / "reference" / "11_capstone.py", "11"), probes, {})
    recording.call("compile_model", recording.call("build_model"))
    recording.call("compile_model", keras.Sequential([keras.Input(shape=(3,))]))  # a model of the grader's own
    compile_probe = next(p for p in probes.values() if p.name == "compile_model")
    assert compile_probe.args == (LearnerModel("build_model", (), ()),)
    assert len(probes) == 2  # build_model, compile_model: a model is keyed as "<model>", whichever it is
    assert not any(isinstance(a, ModelArg) for a in compile_probe.args)

    student = load_submission(tmp_path / "student" / "11_capstone.py", "11")
    entry, _ = answer_probe(student, compile_probe)
    assert [names[-1] for names in student.module.SEEN] == ["probabilities"]
    assert '"from_logits": false' in entry["compiled"][0]
