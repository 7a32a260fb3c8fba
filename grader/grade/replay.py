"""Record and replay: grade a submission without running the checks in the submission's process.

1. Discovery (trusted): run every check, public and hidden, against the reference solution through a
   `RecordingSubmission`; it notes each call the checks make into the learner's module — the
   function's name and its arguments — as `Probe`s.
2. Probing (untrusted, sandboxed): the student's file is loaded and each probe is called; only the
   return values leave the process (`grader.grade.values`: JSON + npz, models as configs).
3. Verification (trusted): the same checks run again against a `ReplaySubmission` that answers each
   call with the student's recorded value. The checks, the hidden checks' source, the held-out labels
   and the scoring never enter the student's process; faking a return value is the same as returning
   it. Checks of the learner's own classes (exercises 8–10 and 12) write their steps as a
   grader.checks.scenario.Scenario; a scenario is recorded and replayed like a call (its probe name
   is SCENARIO_PROBE), and only its facts leave the student's process. A check that touched the
   learner's objects any other way would make its exercise not replayable; discovery reports that,
   and batch grading refuses to start rather than run checks in the student's process.
"""

from __future__ import annotations

import contextlib
import hashlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from grader.checks.failure import CheckFailure, NotImplementedYet, error_summary
from grader.checks.scenario import SCENARIO_PROBE, Facts, Scenario, play
from grader.checks.submission import Submission
from grader.grade.entries import Outcome, Replay
from grader.grade.values import (
    NotTransferable,
    apply_compile_config,
    compile_config_json,
    decode,
    encode,
    functional_equivalent,
    has_lambda_layer,
    inlinable,
    own_layers,
    shift_arrays,
)


@dataclass(frozen=True)
class ModelArg:
    """A grader-built Keras model passed to a learner function (e.g. `compile_model(model)`)."""

    config: str
    weights: tuple


@dataclass(frozen=True)
class LearnerModel:
    """Stands, in a probe, for a model the learner's own code returned to the checks (`build_model()` then
    passed to `compile_model(model)`): the student's process calls its own function again and passes
    what it returns, built on the exercise's `input_shape` as the checks build it. The recording ran the
    reference solution, whose model would otherwise be sent (the reference answer, to every student), and
    a `compile_model` that reads the model it is given would have compiled for another model than its own."""

    name: str
    args: tuple
    kwargs: tuple  # sorted (key, value) pairs


@dataclass(frozen=True)
class Probe:
    name: str
    args: tuple
    kwargs: tuple  # sorted (key, value) pairs

    @property
    def key(self) -> str:
        return probe_key(self.name, self.args, dict(self.kwargs))


def _freeze(value: Any, returned: dict[int, tuple] | None = None) -> Any:
    """`value` as a probe holds it; a model that a recorded call returned (`returned`: id -> (probe, model))
    as the LearnerModel of that call, any other model as a ModelArg (a model the grader built)."""
    import keras

    if isinstance(value, keras.Model):
        if returned and id(value) in returned:
            made = returned[id(value)][0]
            return LearnerModel(made.name, made.args, made.kwargs)
        return ModelArg(value.to_json(), tuple(np.asarray(w) for w in value.get_weights()))
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):
        return type(value)(_freeze(v, returned) for v in value)
    if isinstance(value, dict):
        return {k: _freeze(v, returned) for k, v in value.items()}
    return value


def _thaw(value: Any, submission: Submission | None = None) -> Any:
    import keras

    if isinstance(value, ModelArg):
        model = keras.models.model_from_json(value.config)
        if value.weights:
            model.set_weights(list(value.weights))
        return model
    if isinstance(value, LearnerModel) and submission is not None:
        return _learner_model(submission, value)
    if isinstance(value, (list, tuple)):
        return type(value)(_thaw(v, submission) for v in value)
    if isinstance(value, dict):
        return {k: _thaw(v, submission) for k, v in value.items()}
    return value


def _learner_model(submission: Submission, stand_in: LearnerModel) -> Any:
    """What the learner's function returns for `stand_in`'s call, built as the checks build it."""
    import keras

    from grader.checks.introspect import ensure_built

    model = submission.call(stand_in.name, *_thaw(stand_in.args, submission),
                            **_thaw(dict(stand_in.kwargs), submission))
    shape = exercise_input_shape(submission.exercise_id)
    if isinstance(model, keras.Model) and shape:
        ensure_built(model, shape)
    return model


def _key_part(value: Any) -> Any:
    # A process that has not imported Keras holds no Keras model: the grading process keys probes without
    # importing it (≈10 s of CPU per run). Another of its threads may be importing Keras at this moment
    # (grader.grade.functions identifies a student's own functions): until the module is whole it has no
    # `Model`, and no model of it can exist yet either.
    model_class = getattr(sys.modules.get("keras"), "Model", None)
    if isinstance(value, (ModelArg, LearnerModel)) or (model_class is not None and isinstance(value, model_class)):
        return "<model>"
    if isinstance(value, np.ndarray):
        return ("nd", str(value.dtype), value.shape, hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest())
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_key_part(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((k, _key_part(v)) for k, v in value.items())))
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    return value


def probe_key(name: str, args: tuple, kwargs: dict) -> str:
    return hashlib.sha256(repr((name, _key_part(args), _key_part(kwargs))).encode()).hexdigest()


class RecordingSubmission(Submission):
    """A real submission that notes every call the checks make into it."""

    def __init__(self, inner: Submission, probes: dict[str, Probe], flags: dict[str, bool]) -> None:
        super().__init__(inner.path, inner.exercise_id, inner.module)
        self.probes, self.flags = probes, flags
        self.public_keys: set[str] = set()  # probes that a public check makes (the rest: hidden checks only)
        self._in_call = False
        self._returned: dict[int, tuple[Probe, Any]] = {}  # id -> (probe, model) of each model a call returned

    @contextlib.contextmanager
    def _recording(self, probe: Probe) -> Iterator[None]:
        """Note `probe` (and whether a public check makes it); the learner's objects may be used inside."""
        from grader.pytest_plugin import in_hidden_check

        self.probes.setdefault(probe.key, probe)
        if not in_hidden_check():
            self.public_keys.add(probe.key)
        self._in_call = True
        try:
            yield
        finally:
            self._in_call = False

    def get(self, name: str, kind: str = "function") -> Any:
        if not self._in_call:
            self.flags["direct_access"] = True  # the checks use the object itself: not replayable
        return super().get(name, kind)

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        import keras

        probe = Probe(name, _freeze(args, self._returned), tuple(sorted(_freeze(kwargs, self._returned).items())))
        with self._recording(probe):
            value = super().call(name, *args, **kwargs)
        if isinstance(value, keras.Model):
            self._returned[id(value)] = (probe, value)  # the model is kept, so that its id stays its own
        return value

    def run(self, scenario: Scenario) -> Facts:
        with self._recording(Probe(SCENARIO_PROBE, (_freeze(scenario.steps),), ())):
            return super().run(scenario)


def run_probes(submission: Submission, probes: list[Probe]) -> tuple[dict, list[np.ndarray]]:
    """Call each probe on the (untrusted) submission; the results as a header and arrays to send."""
    arrays: list[np.ndarray] = []
    results = {}
    for probe in probes:
        entry, own = answer_probe(submission, probe)
        results[probe.key] = shift_arrays(entry, len(arrays))
        arrays += own
    return {"results": results, "notes": list(submission.notes)}, arrays


def answer_probe(submission: Submission, probe: Probe, commit=None) -> tuple[dict, list[np.ndarray]]:
    """Call one probe on the (untrusted) submission: its result entry, and the arrays the entry refers to.
    A scenario's steps that run an object are committed to `commit` when given (see
    grader.checks.scenario.play)."""
    import keras

    arrays: list[np.ndarray] = []
    try:
        # a LearnerModel argument runs the learner's own function (build_model()) right here
        args, kwargs = _thaw(probe.args, submission), _thaw(dict(probe.kwargs), submission)
        models = [a for a in (*args, *kwargs.values()) if isinstance(a, keras.Model)]
        before = {i: a.copy() for i, a in enumerate(args) if isinstance(a, np.ndarray)}
        if probe.name == SCENARIO_PROBE:
            value = play(submission, args[0], commit) if commit else play(submission, args[0])
            entry = {"value": encode(value, arrays, commit=commit),
                     "compiled": [compile_config_json(m, commit) for m in models]}
        else:
            returned = submission.call(probe.name, *args, **kwargs)
            try:
                entry = {"value": encode(as_transferable(returned, submission.exercise_id, models), arrays,
                                         commit=commit)}
            except NotTransferable as error:  # a check may need only the call's effects (compile_model)
                arrays.clear()  # what encode had added before it gave up
                entry = {"unusable": _untransferable(probe.name, error)}
            entry["compiled"] = [compile_config_json(m, commit) for m in models]
            entry.update(array_effects(args, before, returned, arrays))
    except CheckFailure as failure:
        entry = {"failure": failure.as_dict(), "not_implemented": isinstance(failure, NotImplementedYet)}
    except NotTransferable as error:
        entry = {"failure": _untransferable(probe.name, error)}
    except RecursionError:
        entry = {"failure": {"summary": f"`{probe.name}()` returned a value nested too deeply"}}
    except Exception as error:  # noqa: BLE001 - the process's own code (maybe rewritten by the submission)
        entry = {"failure": {"summary": f"answering the grader's call failed in your process ({type(error).__name__})"}}
    return entry, ([] if "failure" in entry else arrays)


def _untransferable(name: str, error: NotTransferable) -> dict:
    """The failure (as CheckFailure.as_dict) for a call whose value the process cannot send back."""
    return {"summary": f"`{name}()` returned {error}, which the batch grader cannot take back from your process",
            "hint": "return plain Keras models (Sequential or functional) and numbers or numpy arrays"}


def array_effects(args: tuple, before: dict[int, np.ndarray], returned: Any, arrays: list) -> dict:
    """What a call did to the arrays it was given, which the caller's own arrays must show in the replay
    too (a function that overwrites its input): the new contents of each changed argument
    (`args_after`, encoded into `arrays`) and which argument the returned array is (`returns_arg`)."""
    effects: dict[str, Any] = {}
    changed = {}
    for i, old in before.items():
        try:
            same = np.array_equal(args[i], old, equal_nan=old.dtype.kind in "fc")
        except (TypeError, ValueError):
            same = True
        if not same:
            changed[str(i)] = encode(np.asarray(args[i]), arrays)
    if changed:
        effects["args_after"] = changed
    if isinstance(returned, np.ndarray):
        shared = [i for i in before if np.shares_memory(returned, args[i])]
        if shared:
            effects["returns_arg"] = shared[0]
    return effects


def apply_array_effects(entry: dict, args: tuple, arrays: list) -> None:
    """Replay `array_effects` on the checks' own arguments: write each changed argument's recorded contents
    into the caller's array (same shape only; anything else in the record is ignored)."""
    changed = entry.get("args_after")
    if not isinstance(changed, dict):
        return
    for key, encoded in changed.items():
        index = int(key) if isinstance(key, str) and key.isascii() and key.isdigit() and len(key) < 4 else -1
        if not 0 <= index < len(args) or not isinstance(args[index], np.ndarray):
            continue
        new = decode(encoded, arrays)
        if isinstance(new, np.ndarray) and new.shape == args[index].shape and args[index].flags.writeable:
            args[index][...] = new


class UnusableValue:
    """Stands for a value the student's process could not send back: a check that needs only the call's
    effects (compile_model compiles the model it is given) goes on as in `course check`; any use of the
    value itself fails with the reason."""

    def __init__(self, failure: CheckFailure) -> None:
        object.__setattr__(self, "_failure", failure)

    def __getattribute__(self, name: str) -> Any:
        raise object.__getattribute__(self, "_failure")

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise object.__getattribute__(self, "_failure")

    __len__ = __iter__ = __bool__ = __getitem__ = __call__ = __array__ = __eq__ = __lt__ = __float__ = __int__ = _fail
    __hash__ = None

    def __repr__(self) -> str:
        return "<a value the grader could not take back>"


def as_transferable(value: Any, exercise_id: str, given: list | None = None) -> Any:
    """`value`, made ready to travel as a Keras model the grader can rebuild. The input shape its models take
    is the one the exercise's manifest entry names (the capstone, where any API is accepted), else that of
    the first built model among `given` (the call's model arguments: exercise 12's base).

    - A model that is not built but already holds weights (a new Sequential restacking the layers of a
      model it was given) is built on the given model's input, as the checks build it: weights travel
      only with a built model.
    - A subclassed model or one with Lambda layers becomes its functional equivalent on that input shape
      (grader.grade.values.functional_equivalent): the grader then rebuilds it in its own process, as it
      does a Sequential model.
    - A functional model holding layers of the learner's own classes (an encoder Layer made of Keras
      layers, called on two inputs) becomes its functional equivalent on its own inputs where the
      manifest says `traces_own_layers` (no check there reads a layer list): each such layer's call is
      traced into the Keras layers and operations it runs, which keep their weights and their sharing."""
    import keras

    from grader.checks.graph import api_of
    from grader.checks.introspect import ensure_built, needs_building, variables_of

    if not isinstance(value, keras.Model):
        return value
    given_shape = None
    with contextlib.suppress(Exception):  # the learner's model runs here; the checks say why it cannot be built
        source = next((m for m in given or () if m.built and hasattr(m, "input_shape")), None)
        given_shape = tuple(source.input_shape[1:]) if source is not None else None
        if given_shape is not None and needs_building(value) and variables_of(value):
            ensure_built(value, given_shape)
    api = api_of(value)
    own = api == "functional" and any(inlinable(layer) for layer in own_layers(value))
    if api != "subclassed" and not own and not has_lambda_layer(value):
        return value
    input_shape = exercise_input_shape(exercise_id) or given_shape
    if input_shape:
        return functional_equivalent(value, input_shape)
    return functional_equivalent(value) if own and _traces_own_layers(exercise_id) else value


def _traces_own_layers(exercise_id: str) -> bool:
    """Whether the exercise's manifest entry lets batch grading trace layers of the learner's own classes
    into the Keras layers they call (`traces_own_layers`): set where no check reads a layer list, which
    would see the learner's layer in `course check` and the Keras layers it calls in batch."""
    from grader.manifest import load_course

    return bool(load_course().find(exercise_id).extra.get("traces_own_layers"))


def exercise_input_shape(exercise_id: str) -> tuple[int, ...] | None:
    """The input shape (without the batch axis) that the exercise's manifest entry says its models take."""
    from grader.manifest import load_course

    shape = load_course().find(exercise_id).extra.get("input_shape")
    return tuple(shape) if shape else None


@dataclass
class ReplaySubmission(Submission):
    """Answers the checks' calls with the values the student's process returned."""

    path: Path
    exercise_id: str
    header: dict
    arrays: list
    hidden: Replay | Outcome | None = None  # the hidden checks' own answers, or why they are missing
    notes: list = field(default_factory=list)

    def __post_init__(self) -> None:
        self.module = None
        notes = self.header.get("notes") if isinstance(self.header, dict) else None  # the process's word
        self.notes = [str(note)[:MAX_FAILURE_CHARS] for note in notes[:20]] if isinstance(notes, list) else []

    def get(self, name: str, kind: str = "function") -> Any:
        return lambda *args, **kwargs: self.call(name, *args, **kwargs)

    def _recorded(self, key: str, what: str) -> tuple[dict, list]:
        """The answer recorded under `key`, with the arrays its values refer to; a CheckFailure if none."""
        from grader.pytest_plugin import in_hidden_check

        # A public check reads only what the process answered before any hidden probe was sent to it.
        hidden = in_hidden_check()
        parts = [(self.header, self.arrays)]
        if hidden and isinstance(self.hidden, Replay):
            parts.append((self.hidden.header, self.hidden.arrays))
        for header, arrays in parts:
            results = header.get("results") if isinstance(header, dict) else None
            entry = results.get(key) if isinstance(results, dict) else None
            if isinstance(entry, dict):
                return entry, arrays
        if hidden and isinstance(self.hidden, Outcome):
            raise CheckFailure(f"the process answering the hidden checks' calls did not finish ({self.hidden.text})")
        raise CheckFailure(f"this check {what} in a way the grader did not record for your submission",
                           hint="this happens when an earlier answer differs from the expected one; fix the other "
                           "failures first")

    def run(self, scenario: Scenario) -> Facts:
        entry, arrays = self._recorded(probe_key(SCENARIO_PROBE, (scenario.steps,), {}), "used your classes")
        if "value" not in entry:
            failure = entry.get("failure")
            if entry.get("stalled") and isinstance(failure, dict):  # the grader stopped it (grader.grade.steps)
                raise process_failure(failure)
            raise CheckFailure("the grader could not read what your classes did")
        try:
            outcomes = decode(entry["value"], arrays)
            if not isinstance(outcomes, list) or len(outcomes) != len(scenario.steps):
                raise ValueError("not one outcome per step")
            return Facts([_outcome(o) for o in outcomes])
        except (ValueError, TypeError, KeyError, IndexError) as error:
            raise CheckFailure(f"the grader could not read what your classes did ({error})") from None

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        entry, arrays = self._recorded(probe_key(name, args, kwargs), f"called `{name}()`")
        if "failure" in entry:
            raise process_failure(entry["failure"], NotImplementedYet if entry.get("not_implemented") else CheckFailure)
        try:
            if "unusable" in entry:
                value = UnusableValue(process_failure(entry["unusable"]))
            else:
                value = decode(entry["value"], arrays)
            models = [a for a in (*args, *kwargs.values()) if hasattr(a, "compile_from_config")]
            compiled = entry.get("compiled", [])
            for model, config in zip(models, compiled if isinstance(compiled, list) else [None], strict=False):
                if config:
                    apply_compile_config(model, config)
            apply_array_effects(entry, args, arrays)
            returned_arg = entry.get("returns_arg")
            if type(returned_arg) is int and 0 <= returned_arg < len(args) and isinstance(args[returned_arg], np.ndarray):
                value = args[returned_arg]  # the caller's own array, as in `course check`
        except NotTransferable as error:
            raise CheckFailure(f"`{name}()` returned {error}, which the grader cannot rebuild",
                               hint="use Keras' own layers, losses and optimizers") from None
        except Exception as error:  # noqa: BLE001 - every field here is the student's process's word
            raise CheckFailure(f"the value `{name}()` returned could not be rebuilt by the grader "
                               f"({type(error).__name__}: {error_summary(error)})") from None
        return value


MAX_FAILURE_CHARS = 4000  # of each text of a failure the student's process describes


def process_failure(data: Any, cls: type[CheckFailure] = CheckFailure) -> CheckFailure:
    """The failure the student's process described (as CheckFailure.as_dict), each text cut to
    MAX_FAILURE_CHARS; anything that is not such a description is a failure saying so. The texts are the
    process's word: they can fail a check, never pass one."""
    if not isinstance(data, dict):
        return cls("the grader could not read the failure your process reported")
    texts = {k: None if data.get(k) is None else str(data[k])[:MAX_FAILURE_CHARS]
             for k in ("summary", "expected", "got", "why", "hint")}
    return cls.from_dict(texts)


def _outcome(outcome: Any) -> list:
    """One step's outcome as the student's process reported it, checked for form (see scenario.play)."""
    if isinstance(outcome, list) and outcome[:1] == ["ok"] and len(outcome) == 2:
        return outcome
    if isinstance(outcome, list) and outcome[:1] == ["failed"] and len(outcome) == 3 and isinstance(outcome[1], dict):
        return ["failed", {k: None if v is None else str(v)[:4000] for k, v in outcome[1].items()}, bool(outcome[2])]
    if outcome == ["skipped"]:
        return outcome
    raise ValueError("a malformed step outcome")
