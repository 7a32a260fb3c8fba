"""Commit, then challenge: what a learner's class computes is measured on inputs and weights that its
process never sees.

A scenario (grader.checks.scenario) calls the learner's objects on arrays and gives them weights. If the
student's process saw those arrays, code that rewrites the scenario player could compute the expected
outputs itself (numpy on the grader's own inputs and weights) without implementing anything. So:

1. **Decoys** (trusted, `with_decoys`): before a scenario is sent to the student's process, the input of
   every `call` step and the values of every `assign` step are replaced by random decoys of the same
   shape and dtype, drawn from a generator the student's process never sees. The grader keeps the
   real arrays (`Secrets`).
2. **Commit** (the student's process, `Commitments`): the scenario is played on the decoys. Each `call`
   step still runs (so errors and lazily built weights happen as in `course check`), and its fact is only
   a commitment `{"committed": k}`: the call, with its keyword arguments, traced as a TensorFlow function
   with an input signature whose batch axis is free, and the values the object's variables had just
   before the call. When the exercise's file is closed, every traced call and every variable is saved
   as one SavedModel (a graph and variables: no Python) and sent to the grader with the values.
3. **Challenge** (a second confined process, `challenge_commitments`): forked afresh, confined like the
   student's (no network, read-only files, hidden grader paths, a private scratch), with nothing of the
   first process but the SavedModel's bytes. For each call it gives the variables the committed values,
   with every decoy replaced by the real array it stood for, runs the traced call on the real input,
   and sends back the output.
4. **Judge** (trusted, `apply_challenges`): the outputs replace the call steps' facts; the checks then
   compare them with the grader's own computation, as in `course check`. A scenario whose process
   reported a call as done without a commitment that runs gets no fact at all: every check that reads
   it fails.

A saved `.keras` file (exercise 12) is committed as its bytes (`Commitments.saved_file`), and the
challenger reads it with the grader's own classes (grader.checks.saved_file, `FileItem`): the decoys among
its weights are replaced by the real ones and the model it describes runs on the real input.

What remains the student's process's word: facts about Python objects that a graph cannot show (the
class's bases, what its constructor raises, its config, its registered name, attribute values, variable
names and shapes) and the losses of a `fit` step.
"""

from __future__ import annotations

import io
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from grader.checks.scenario import SCENARIO_PROBE
from grader.grade.sandbox import Limits, SandboxNotSealed, confine

ARTEFACT_MAX_BYTES = 32 * 1024 * 1024
# The variables one committed call may be given (the course's classes have a handful): the student's
# process names them, and the grader's own process reads every name, so a longer list is refused unread.
MAX_VALUES_PER_CALL = 256
MAX_OUTPUT_RANK, MAX_OUTPUT_DIM = 6, 1 << 20  # no output of the course's classes comes near either
MAX_FILES = 16  # saved files one exercise part may commit (exercise 12's checks save three)
FUNCTION_PLACE = "<function>"  # where a committed function's output goes (never a probe key: those are hex)


# 1. decoys (trusted) -------------------------------------------------------------------------------------

RUNS = ("call", "predict", "build", "output_shape")  # the steps that run the learner's object: each one is committed
CALLS = ("call", "predict")  # of those, the ones whose fact is the output on the step's input


@dataclass
class Secrets:
    """What the grader kept of one scenario: the input each step that runs an object gets in the challenge
    (a call's real input; zeros for `build` and `output_shape`), which object each step is about, and each
    decoy it sent for an assigned value with the real value it stands for."""

    inputs: dict[int, np.ndarray] = field(default_factory=dict)  # step index -> input in the challenge
    ops: dict[int, str] = field(default_factory=dict)  # step index -> one of RUNS, or "variables"
    objects: dict[int, int] = field(default_factory=dict)  # step index -> index of the step that made the object
    substitutions: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)  # (decoy, real)
    labels: dict[int, str] = field(default_factory=dict)  # step index -> the step's label
    files: dict[int, np.ndarray] = field(default_factory=dict)  # `read_saved` step index -> its real input


def _decoy(real: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    real = np.asarray(real)
    if real.dtype.kind in "iub":
        low, high = (int(real.min()), int(real.max())) if real.size else (0, 1)
        return rng.integers(low, high + 1, size=real.shape).astype(real.dtype)
    mean = float(real.mean()) if real.size else 0.0
    spread = max(float(real.std()) if real.size else 0.0, 0.05)
    return rng.normal(mean, spread, size=real.shape).astype(real.dtype)


def with_decoys(probe, rng: np.random.Generator):
    """The probe to send (a scenario's call inputs and assigned values replaced by decoys) and the
    Secrets to keep; other probes are sent as they are (Secrets None)."""
    from grader.grade.replay import Probe

    if probe.name != SCENARIO_PROBE:
        return probe, None
    secrets = Secrets()
    steps = []
    for index, (op, label, args, kwargs) in enumerate(probe.args[0]):
        if op in (*RUNS, "variables") and args and isinstance(args[0], dict) and "ref" in args[0]:
            secrets.ops[index], secrets.objects[index], secrets.labels[index] = op, int(args[0]["ref"]), label
        if op in CALLS:
            secrets.inputs[index] = np.asarray(args[1])
            args = (args[0], _decoy(args[1], rng), *args[2:])
        elif op in ("build", "output_shape"):
            secrets.inputs[index] = np.zeros((1, *args[1]), dtype="float32")
        elif op == "read_saved":
            secrets.files[index] = np.asarray(args[1])
            args = (args[0], _decoy(args[1], rng), *args[2:])
        elif op == "assign":
            decoys = []
            for real in args[1]:
                decoy = _decoy(real, rng)
                secrets.substitutions.append((decoy, np.asarray(real)))
                decoys.append(decoy)
            args = (args[0], decoys, *args[2:])
        steps.append((op, label, args, kwargs))
    return Probe(probe.name, (steps, *probe.args[1:]), probe.kwargs), secrets


# 2. commit (the student's process) ---------------------------------------------------------------------

def _variables_of(obj) -> list:
    seen: dict[int, Any] = {}
    for variable in getattr(obj, "variables", []):
        seen.setdefault(id(variable), variable)
    return list(seen.values())


class Commitments:
    """Collects the scenario calls of one exercise file, then saves them as one SavedModel (`save`)."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, dict[int, np.ndarray]]] = []  # (traced function or _Untraced, variable values)
        self.objects: dict[int, Any] = {}  # the objects committed to, by id
        self.variables: dict[int, Any] = {}
        self.files: list[bytes] = []  # saved .keras files (`saved_file`), read in the challenger
        self.traces: dict[tuple, list] = {}  # function key -> [(traced function, its graph)], to share alike traces

    def call(self, obj, x: np.ndarray, kwargs: dict, run) -> dict:
        """Run the call here (`run()`), then commit to it: the fact is {"committed": k}."""
        self._commit(obj, np.shape(x), np.asarray(x).dtype, kwargs, run)
        return {"committed": len(self.calls) - 1}

    def ran(self, obj, input_shape, kwargs: dict, run) -> dict:
        """A step that runs `obj` on a `(None, *input_shape)` input (`build`, `output_shape`): run it here
        (`run()`), and commit to `obj(x, **kwargs)`; the fact is {"committed": k, "fact": what run gave}."""
        fact = self._commit(obj, (1, *input_shape), np.dtype("float32"), kwargs, run)
        return {"committed": len(self.calls) - 1, "fact": fact}

    def function(self, fn, shape: tuple, dtype: str) -> int:
        """Commit to a plain function of one tensor of `shape` (None for a free axis), e.g. an activation
        of the learner's own (grader.grade.functions); returns its k. It runs only once it is traced."""
        self._commit(fn, shape, np.dtype(dtype), {}, lambda: None)
        return len(self.calls) - 1

    def saved_file(self, path: Path, x: np.ndarray) -> dict:
        """Commit to a saved `.keras` file: its bytes go with the commitments, and the challenger reads it
        (grader.checks.saved_file) and runs the model it describes on the real input; the fact is
        {"file_committed": j}. A file larger than any of the exercise's fails the step here, as it does
        in `course check`."""
        from grader.checks.saved_file import expect_small

        expect_small(path)
        self.files.append(path.read_bytes())
        return {"file_committed": len(self.files) - 1}

    def _commit(self, obj, shape: tuple, dtype, kwargs: dict, run):
        import tensorflow as tf

        before = {id(v): np.array(v) for v in _variables_of(obj)}
        result = run()
        variables = _variables_of(obj)
        for variable in variables:
            self.variables.setdefault(id(variable), variable)
        snapshot = {id(v): before.get(id(v), np.array(v)) for v in variables}
        self.objects.setdefault(id(obj), obj)
        spec = tf.TensorSpec((None, *tuple(shape)[1:]), tf.as_dtype(dtype))
        self.calls.append((self._traced(obj, kwargs, spec), snapshot))
        return result

    def _traced(self, obj, kwargs: dict, spec) -> Any:
        """The call traced now, right after it ran, from the Python state it ran in (a later step of the
        learner's code may change that state); an earlier trace of the same object, keyword arguments and
        signature whose graph is the same is reused. _Untraced, saying why, if tracing fails. Code that
        computes otherwise when traced than when run eagerly (`tf.executing_eagerly()`) is judged by its
        graph here and by its eager run in `course check` (README)."""
        import tensorflow as tf

        function = tf.function(_bound_call(obj, kwargs), input_signature=[spec])
        try:  # one call that cannot be traced (e.g. on an input shape the object refuses) costs only itself
            with _as_saved():  # the trace the SavedModel keeps: it is not traced again when saved
                concrete = function.get_concrete_function()
        except Exception as error:  # noqa: BLE001 - the learner's code runs while tracing
            return _Untraced(_traced_error(error))
        key = _function_key(obj, kwargs, spec)
        if key is None:
            return function
        try:
            shape = concrete.graph.as_graph_def().SerializeToString(deterministic=True)
        except Exception:  # noqa: BLE001 - a graph TensorFlow cannot write out is not shared
            return function
        for earlier, earlier_shape in self.traces.get(key, []):
            if earlier_shape == shape:
                return earlier
        self.traces.setdefault(key, []).append((function, shape))
        return function

    def save(self, directory: Path) -> tuple[dict, list[np.ndarray]]:
        """Save every committed call as the SavedModel's function `call_k` and every variable in its list
        `variables`; return the header and arrays that carry it (the SavedModel as one tar of bytes, and
        each call's variable values), and each saved file's bytes (`files`: their arrays' indices).

        Each call was traced when it ran (`_traced`); calls of one object with the same keyword arguments
        on the same input signature whose traces are the same graph are one function, saved once under
        each of their names (each call keeps its own variable values). The learner's objects themselves are
        saved only if the graphs need more of them than their variables (then the save without them fails
        and is done again with them)."""
        if not self.calls and not self.files:
            return {}, []
        header, arrays = self._save_calls(directory) if self.calls else ({"calls": [], "untraced": {}}, [])
        header["files"] = list(range(len(arrays), len(arrays) + len(self.files)))
        arrays += [np.frombuffer(data, dtype=np.uint8) for data in self.files]
        return header, arrays

    def _save_calls(self, directory: Path) -> tuple[dict, list[np.ndarray]]:
        ordered = list(self.variables.values())
        arrays: list[np.ndarray] = []
        calls = []
        position = {id(v): i for i, v in enumerate(ordered)}
        untraced: dict[str, str] = {}
        named: dict[str, Any] = {}
        for k, (function, snapshot) in enumerate(self.calls):
            if isinstance(function, _Untraced):
                untraced[str(k)] = function.reason
                calls.append(None)
                continue
            named[f"call_{k}"] = function
            indices = []
            for variable_id, value in snapshot.items():
                indices.append([position[variable_id], len(arrays)])
                arrays.append(value)
            calls.append(indices)
        try:
            _save_module(directory, ordered, named, [])
        except Exception:  # noqa: BLE001 - e.g. a graph that uses a resource of the object beyond its variables
            import shutil

            shutil.rmtree(directory, ignore_errors=True)
            # the layers and models committed to (a plain function has no state to track)
            _save_module(directory, ordered, named, [o for o in self.objects.values() if hasattr(o, "variables")])
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
            tar.add(str(directory), arcname="artefact")
        arrays.append(np.frombuffer(buffer.getvalue(), dtype=np.uint8))
        return {"calls": calls, "artefact": len(arrays) - 1, "untraced": untraced}, arrays


@dataclass(frozen=True)
class _Untraced:
    """A committed call whose tracing failed, and why (one line)."""

    reason: str


def _function_key(obj, kwargs: dict, spec) -> tuple | None:
    """What makes two committed calls one traced function: the object, the keyword arguments and the input
    signature. None (never shared) when a keyword argument is not a plain value."""
    plain = (bool, int, float, str, type(None))
    if not all(isinstance(value, plain) for value in kwargs.values()):
        return None
    return id(obj), tuple(sorted((name, type(value).__name__, value) for name, value in kwargs.items())), \
        tuple(spec.shape.as_list()), spec.dtype.name


def _save_options():
    """How commitments are saved. The challenger loads them with tf.saved_model.load, which restores the
    variables without the saver ops that TensorFlow 1's loaders need: those are not made (tracing them
    cost more than tracing the learner's own calls)."""
    import tensorflow as tf

    return tf.saved_model.SaveOptions(experimental_skip_saver=True)


def _as_saved():
    """A context in which tf.function traces as tf.saved_model.save does (TensorFlow keys its traces by
    it: a call traced outside it is traced again while saving). Without TensorFlow's private module that
    sets it, nothing: the calls are then traced twice, as before."""
    import contextlib

    try:
        from tensorflow.python.saved_model import save_context
    except ImportError:  # pragma: no cover - another TensorFlow layout
        return contextlib.nullcontext()
    if save_context.in_save_context():
        return contextlib.nullcontext()
    return save_context.save_context(_save_options())


def _save_module(directory: Path, variables: list, functions: dict[str, Any], objects: list) -> None:
    """One SavedModel: the variables as `variables_list`, each function under its name, and `objects`."""
    import tensorflow as tf

    root = tf.Module()
    root.variables_list = variables
    if objects:
        root.objects = objects
    for name, function in functions.items():
        setattr(root, name, function)
    tf.saved_model.save(root, str(directory), options=_save_options())


def _bound_call(obj, kwargs: dict):
    def call(x):
        return obj(x, **kwargs)

    return call


# 3. challenge (a second confined process) --------------------------------------------------------------

@dataclass
class ChallengeItem:
    """Run the committed call `call` with these variable values on input `x`."""

    call: int
    x: np.ndarray
    values: list[tuple[int, np.ndarray]]  # (index in the SavedModel's `variables_list`, value)
    run: bool = True  # False: only the traced output's shape and the weights the graph uses


@dataclass
class FileItem:
    """Read the saved `.keras` file `data` as grader.checks.saved_file does, give every weight in it that is
    one of the decoys the real value it stands for, and run the model on input `x`."""

    data: bytes
    x: np.ndarray
    substitutions: list[tuple[np.ndarray, np.ndarray]]


@dataclass
class ChallengeJob:
    """The challenger's confinement; each message it is then sent is (artefact bytes, [ChallengeItem])."""

    limits: Limits
    scratch: str
    hide: list
    uid: int
    visible: list = field(default_factory=list)  # the interpreter's folders, readable even inside hidden ones


def challenge_commitments(job: ChallengeJob, conn) -> None:
    """Entry point of the challenger: confine, then for each message load the SavedModel it carries and
    run each item; reply one message per message. Never returns (os._exit)."""
    import os
    import pickle

    from grader.grade.values import pack

    code = 0
    try:
        try:
            confinement = confine(job.limits, Path(job.scratch), [Path(p) for p in job.hide], job.uid,
                                  keep_fds=(conn.fileno(),), visible=tuple(Path(p) for p in job.visible))
        except SandboxNotSealed as refused:  # no graph is loaded: every message gets the grader's own error
            while True:
                try:
                    conn.recv_bytes()
                except EOFError:
                    return
                conn.send_bytes(pack({"grader_error": str(refused)[:800]}, []))
        job.scratch, job.hide = "", []  # from here on, nothing in this process names a path of the grader's
        scratch = confinement.workdir
        count = 0
        while True:
            try:
                artefact, items = pickle.loads(conn.recv_bytes())  # from the grader, never from a student
            except EOFError:
                break
            count += 1
            header, arrays = _challenge(artefact, items, scratch / f"artefact-{count}")
            conn.send_bytes(pack(header, arrays))
    except BaseException:  # noqa: BLE001 - whatever the graph does, the grader reads only the replies
        code = 71
    finally:
        os._exit(code)


def _challenge(artefact: bytes | None, items: list, folder: Path) -> tuple[dict, list[np.ndarray]]:
    import tensorflow as tf

    folder.mkdir()
    loaded, unloaded = None, "no graph was committed"
    if artefact is not None:
        try:
            with tarfile.open(fileobj=io.BytesIO(artefact), mode="r:gz") as tar:
                tar.extractall(folder, filter="data")
            loaded = tf.saved_model.load(str(folder / "artefact"))
            variables = list(loaded.variables_list)
        except Exception as error:  # noqa: BLE001
            if not any(isinstance(item, FileItem) for item in items):
                return {"error": _error_kind(error)}, []
            loaded, unloaded = None, _error_kind(error)
    outputs, arrays = [], []
    for number, item in enumerate(items):
        if isinstance(item, FileItem):
            outputs.append(_read_file(item, folder / f"saved-{number}.keras", arrays))
            continue
        if loaded is None:
            outputs.append({"error": unloaded})
            continue
        try:
            for index, value in item.values:
                variables[index].assign(value)
            function = getattr(loaded, f"call_{item.call}")
            traced = function.concrete_functions[0]
            captured = [[int(d) for d in v.shape] for v in traced.variables if v.dtype.is_floating]
            static = getattr(traced.structured_outputs, "shape", None)
            if not item.run and static is not None and None not in list(static)[1:]:
                shape = [0, *(int(d) for d in list(static)[1:])]  # the shape as traced, not run
                output = np.zeros(_plausible(shape), dtype="float32")
            else:
                result = function(tf.constant(item.x))
                _plausible(list(getattr(result, "shape", [])))
                output = np.asarray(result, dtype="float32")
            outputs.append({"array": len(arrays), "weights": captured})
            arrays.append(output)
        except Exception as error:  # noqa: BLE001
            outputs.append({"error": _error_kind(error)})
    return {"outputs": outputs}, arrays


def _read_file(item: FileItem, path: Path, arrays: list) -> dict:
    """One saved file's reply: {"array", "registered"}, {"failure": what is wrong with the file} (words that
    depend on the file alone: it is read before any secret is used), or {"error": its kind}."""
    from grader.checks.failure import CheckFailure
    from grader.checks.saved_file import layer_names, read_saved_model, run_saved_model

    try:
        path.write_bytes(item.data)
        model, registered = read_saved_model(path)
    except CheckFailure as failure:
        return {"failure": {k: v if v is None else str(v)[:400] for k, v in failure.as_dict().items()}}
    except Exception as error:  # noqa: BLE001
        return {"error": f"{type(error).__name__} while reading the file"}
    try:
        for variable in model.weights:
            value = np.asarray(variable)
            real = _substituted(value, item.substitutions)
            if real is not value:
                variable.assign(real)
        output = run_saved_model(model, item.x)
        _plausible(list(output.shape))
    except Exception as error:  # noqa: BLE001
        return {"error": _error_kind(error)}
    arrays.append(output)
    return {"array": len(arrays) - 1, "registered": [str(name)[:80] for name in registered[:16]],
            "layers": layer_names(model)}


def _traced_error(error: BaseException) -> str:
    """One line saying why tracing failed: TensorFlow puts the learner's own error last, after "in user
    code:" and the lines of the call stack."""
    from grader.checks.failure import error_summary

    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    last = next((line for line in reversed(lines) if not line.startswith(("File ", "in user code", "return "))), "")
    return f"{type(error).__name__}: {error_summary(last)}" if last else type(error).__name__


def _error_kind(error: BaseException) -> str:
    """What the feedback says of an error on the grader's inputs: its kind only. Its text could carry
    those inputs out (a graph that fails on purpose with a message, or a shape, built from them)."""
    return (f"{type(error).__name__} on the grader's inputs; the error's text is withheld, as it could quote "
            "them: `course check` shows it where your class fails the same way")


def _plausible(shape: list) -> tuple[int, ...]:
    """`shape` if an output of the learner's could have it; ValueError (its kind alone reaches the feedback)
    for a rank or a dimension no model of the course gives: such a shape could carry the inputs out."""
    if len(shape) > MAX_OUTPUT_RANK or any(d is not None and not 0 <= int(d) <= MAX_OUTPUT_DIM for d in shape):
        raise ValueError("an output of an impossible shape")
    return tuple(int(d) for d in shape)


# 4. judge (trusted) ------------------------------------------------------------------------------------

@dataclass
class PendingChallenge:
    """One exercise part's answers that wait for the challenge: the entry's results are patched in place."""

    header: dict
    arrays: list
    secrets: dict[str, Secrets]  # probe key -> what the grader kept of that scenario
    commitments: Any  # the header of the student's process's commitments (Commitments.save)
    committed: list  # and its arrays
    functions: dict = field(default_factory=dict)  # k -> grader.grade.functions.FunctionSecret


def _substituted(value: np.ndarray, substitutions: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    for decoy, real in substitutions:
        if value.shape == decoy.shape and value.dtype == decoy.dtype and np.array_equal(value, decoy):
            return real
    return value


def _committed_call(outcome: Any) -> int | None:
    """k if `outcome` (as encoded by grader.grade.values) is ["ok", {"committed": k}]."""
    try:
        ok, fact = outcome["list"]
        committed = fact["dict"]["committed"]["int"]
        return int(committed) if ok == "ok" else None
    except (KeyError, TypeError, ValueError, OverflowError):
        return None


def challenge_items(pending: PendingChallenge) -> tuple[bytes | None, list, list[tuple]]:
    """What to send the challenger for one exercise part: the artefact (None if no graph was committed),
    the items (ChallengeItem, FileItem), and where each item's output goes ((probe key, step index) per
    item)."""
    commitments, arrays = pending.commitments, pending.committed
    artefact, calls = _committed_graphs(commitments, arrays)
    files = _committed_files(commitments, arrays)
    items, places = [], []
    for key, secrets in pending.secrets.items():
        entry = pending.header.get("results", {}).get(key)
        outcomes = _outcomes(entry)
        for index, real in secrets.inputs.items():
            k = _committed_call(outcomes[index]) if outcomes and index < len(outcomes) else None
            if k is None or not 0 <= k < len(calls):
                continue
            if not isinstance(calls[k], list) or len(calls[k]) > MAX_VALUES_PER_CALL:
                continue  # not a commitment the challenger can run: its checks fail, saying so
            try:
                values = [(int(v), _substituted(np.asarray(arrays[int(a)]), secrets.substitutions))
                          for v, a in calls[k]]
            except (TypeError, ValueError, IndexError, OverflowError):
                continue
            items.append(ChallengeItem(k, real, values, run=secrets.ops.get(index) in CALLS))
            places.append((key, index))
        for index, real in secrets.files.items():
            j = _committed_file(outcomes[index]) if outcomes and index < len(outcomes) else None
            if j is not None and 0 <= j < len(files) and files[j] is not None:
                items.append(FileItem(files[j], real, secrets.substitutions))
                places.append((key, index))
    for k, secret in pending.functions.items():
        if 0 <= k < len(calls):
            items.append(ChallengeItem(k, secret.x, []))
            places.append((FUNCTION_PLACE, k))
    return artefact, items, places


def _committed_graphs(commitments: Any, arrays: list) -> tuple[bytes | None, list]:
    """The SavedModel's bytes and the committed calls, or (None, []) if there are none the grader can send."""
    try:
        artefact = arrays[int(commitments["artefact"])].tobytes()
        calls = commitments["calls"]
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError):
        return None, []
    if len(artefact) > ARTEFACT_MAX_BYTES or not isinstance(calls, list):
        return None, []
    return artefact, calls


def _committed_files(commitments: Any, arrays: list) -> list[bytes | None]:
    """The bytes of each committed saved file (None for one larger than any of the exercise's)."""
    from grader.checks.saved_file import MAX_FILE_BYTES

    try:
        indices = commitments.get("files", [])
        chosen = [arrays[int(i)] for i in indices[:MAX_FILES]]
    except (TypeError, ValueError, IndexError, AttributeError, OverflowError):
        return []
    return [a.tobytes() if isinstance(a, np.ndarray) and a.dtype == np.uint8 and a.size <= MAX_FILE_BYTES else None
            for a in chosen]


def _committed_file(outcome: Any) -> int | None:
    """j if `outcome` (as encoded by grader.grade.values) is ["ok", {"file_committed": j}]."""
    try:
        ok, fact = outcome["list"]
        committed = fact["dict"]["file_committed"]["int"]
        return int(committed) if ok == "ok" else None
    except (KeyError, TypeError, ValueError, OverflowError):
        return None


def _outcomes(entry: Any) -> list | None:
    try:
        outcomes = entry["value"]["list"]
        return outcomes if isinstance(outcomes, list) else None
    except (KeyError, TypeError):
        return None


def apply_challenges(pending: PendingChallenge, places: list[tuple], outputs: list, output_arrays: list,
                     failure: str | None) -> None:
    """Put the challenger's measurements into the scenario facts: a call's output, the output shape, and
    for a list of weights, a check that they are the weights the object's committed graph uses. A
    scenario with a step reported done that the challenge could not confirm (no commitment, a graph that
    does not run, weights the graph does not use, no challenger) gets no fact at all. A saved file the
    challenger read gives its `read_saved` step the output of the model it describes, or fails that step
    in the words `course check` uses for the same file."""
    from grader.grade.functions import resolve_functions

    results = pending.header.get("results", {})
    answered: dict[tuple, tuple[np.ndarray, list] | str] = {}
    read: dict[tuple, dict | str] = {}  # (probe key, read_saved step) -> its fact or failure, or why there is none
    file_places = {(key, index) for key, secrets in pending.secrets.items() for index in secrets.files}
    for place, output in zip(places, outputs, strict=False):
        if place in file_places:
            read[place] = _file_reply(output, output_arrays, len(pending.arrays))
            if isinstance(read[place], dict) and "dict" in read[place]:
                pending.arrays.append(np.asarray(output_arrays[int(output["array"])], dtype="float32"))
        else:
            answered[place] = _measured(output, output_arrays)
    if pending.functions:
        measured = {place[1]: got[0] if isinstance(got, tuple) else got
                    for place, got in answered.items() if place[0] == FUNCTION_PLACE}
        for k in pending.functions:
            measured.setdefault(k, failure or "your process did not commit to it")
        resolve_functions(results, pending.functions, measured)
    for key, secrets in pending.secrets.items():
        entry = results.get(key)
        outcomes = _outcomes(entry)
        if outcomes is None:
            continue
        used: dict[int, list] = {}  # object -> the weight shapes of each of its committed graphs
        for (place_key, index), got in answered.items():
            if place_key == key and isinstance(got, tuple) and index in secrets.objects:
                used.setdefault(secrets.objects[index], []).append(sorted(got[1]))
        problem = None
        ran: set[int] = set()  # the objects a step before this one ran (built them, if they build lazily)
        for index in sorted(secrets.ops):
            if index >= len(outcomes) or not _reported_ok(outcomes[index]):
                continue  # a step that failed or was skipped in the student's process: as in course check
            op, label = secrets.ops[index], secrets.labels.get(index, "a step")
            if op == "variables":
                listed = _listed_shapes(outcomes[index])
                # No weights before the object first ran is the process's word (a lazy build: no graph shows
                # it); once it has run, an empty list needs a committed graph that uses none, as any list does,
                # when the challenger could run one. An object none of whose graphs runs on the grader's input
                # (a model declared for one batch size) keeps its word, as in `course check`, which reads its
                # weights: every check of what it computes fails anyway.
                obj = secrets.objects[index]
                confirm = bool(listed) or obj in ran and obj in used
                if listed is None or confirm and sorted(listed) not in used.get(obj, []):
                    problem = (f"the weights your process listed for `{label}` are not the ones that the graph it "
                               "committed to uses")
                    break
                continue
            ran.add(secrets.objects[index])
            if op == "build" and _build_fact(outcomes[index]) is False:
                outcomes[index] = {"list": ["ok", False]}  # built already: nothing ran, as in course check
                continue
            got = answered.get((key, index))
            if not isinstance(got, tuple):
                reason = got if isinstance(got, str) else _untraced(pending, outcomes[index]) or failure or \
                    "your process reported it without committing to it"
                problem = f"the grader could not run `{label}` as the frozen graph your process committed to ({reason})"
                break
            output = got[0]
            if op in CALLS:
                fact = {"array": len(pending.arrays)}
                pending.arrays.append(output)
            elif op == "output_shape":
                fact = {"tuple": [None, *({"int": str(int(d))} for d in output.shape[1:])]}
            else:  # build: whether it had to build stays the process's word
                fact = outcomes[index]["list"][1]["dict"].get("fact")
                if not isinstance(fact, bool):
                    problem = f"the grader could not read what `{label}` did"
                    break
            outcomes[index] = {"list": ["ok", fact]}
        why = ("batch grading runs your class again, as the traced TensorFlow graph your process committed to, on "
               "inputs and weights your process never saw")
        hint = ("use Keras and keras.ops (or tf) operations in call(); numpy calls and Python side effects cannot "
                "be traced")
        for index in sorted(secrets.files) if problem is None else ():
            if index >= len(outcomes) or not _reported_ok(outcomes[index]):
                continue
            got = read.get((key, index), failure or "your process reported it without committing the file")
            if isinstance(got, str):
                problem = f"the grader could not read the file your process saved ({got})"
                why = "batch grading reads the saved file itself, away from your code, and runs it on its own inputs"
                hint = "save the model with model.save(path) in the directory given, and do not change the file afterwards"
                break
            if "failure" in got:
                outcomes[index] = {"list": ["failed", {"dict": got["failure"]}, False]}
                outcomes[index + 1:] = [{"list": ["skipped"]} for _ in outcomes[index + 1:]]
                break
            outcomes[index] = {"list": ["ok", got]}
        if problem is not None:
            failed = {"list": ["failed", {"dict": {"summary": problem, "why": why, "hint": hint}}, False]}
            entry["value"] = {"list": [failed for _ in outcomes]}


def _file_reply(output: Any, arrays: list, at: int) -> dict | str:
    """A `read_saved` step's fact from one challenger reply, encoded with its array at index `at` of the
    part's arrays ({"dict": {"output", "registered"}}), {"failure": the file's failure}, or why there is none."""
    if not isinstance(output, dict):
        return "the challenger's reply could not be read"
    if "error" in output:
        return str(output["error"])[:300]
    if isinstance(output.get("failure"), dict):
        fields = ("summary", "expected", "got", "why", "hint")
        return {"failure": {k: None if output["failure"].get(k) is None else str(output["failure"][k])[:400]
                            for k in fields}}
    try:
        np.asarray(arrays[int(output["array"])], dtype="float32")
        names = [str(name)[:80] for name in output["registered"]][:16]
        layers = [str(name)[:80] for name in output["layers"]][:16]
    except (KeyError, IndexError, TypeError, ValueError, OverflowError):
        return "the challenger's reply could not be read"
    return {"dict": {"output": {"array": at}, "registered": {"list": names}, "layers": {"list": layers}}}


def _measured(output: Any, arrays: list) -> tuple[np.ndarray, list] | str:
    """(output, weight shapes) from one challenger reply, or why there is none."""
    if not isinstance(output, dict):
        return "the challenger's reply could not be read"
    if "error" in output:
        return str(output["error"])[:300]
    try:
        weights = [tuple(int(d) for d in shape) for shape in output["weights"]]
        return np.asarray(arrays[int(output["array"])], dtype="float32"), weights
    except (KeyError, IndexError, TypeError, ValueError, OverflowError):
        return "the challenger's reply could not be read"


def _listed_shapes(outcome: Any) -> list[tuple[int, ...]] | None:
    """The shapes in a `variables` step's fact ([(name, shape)], as encoded), or None if malformed."""
    try:
        listed = outcome["list"][1]["list"]
        return [tuple(int(d["int"]) for d in item["tuple"][1]["tuple"]) for item in listed]
    except (KeyError, IndexError, TypeError, ValueError, OverflowError):
        return None


def _reported_ok(outcome: Any) -> bool:
    try:
        return outcome["list"][0] == "ok"
    except (KeyError, TypeError, IndexError):
        return False


def _build_fact(outcome: Any) -> bool | None:
    """What a `build` step's process said (True: it had to build the object), or None if unreadable."""
    try:
        fact = outcome["list"][1]["dict"].get("fact")
    except (KeyError, IndexError, TypeError, AttributeError):
        return None
    return fact if isinstance(fact, bool) else None


def _untraced(pending: PendingChallenge, outcome: Any) -> str | None:
    """Why the student's process could not trace the call that `outcome` committed to, if it said so."""
    k = _committed_call(outcome)
    try:
        reason = pending.commitments["untraced"][str(k)]
    except (KeyError, TypeError, IndexError):
        return None
    return f"tracing it failed: {str(reason)[:200]}"
