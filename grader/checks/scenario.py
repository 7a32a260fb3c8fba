"""Scenarios: what a check does with the learner's own classes, written down as data.

Exercises 8–10 and 12 grade classes the learner writes (a Layer, Models). Their checks never hold those
objects. A check writes a `Scenario` — take the class `MyDense`, construct it with these arguments,
call it on this array, list its variables — and `submission.run(scenario)` plays it where the
learner's code lives and returns `Facts`: arrays, shapes, names, numbers, never objects. Judging
the facts (what was expected, and why) stays in the check.

In `course check` and in nbgrader the scenario plays in-process. Batch grading (grader.grade.replay)
records each scenario on the reference solution and plays it in the student's confined process;
only the facts come back. The checks, their expected values and the hidden checks never enter that
process, so a submission that patches them there changes nothing. At most it can report facts, and
the checks test those against values the grader computes itself, e.g. the outputs that the grader's
own reference gives for inputs and weights the grader chose.

When a step's learner code fails, the failure becomes a CheckFailure in the learner's terms and the
later steps are not played. Reading the fact of that step, or of any later one, raises that same
failure, as if the check had run the steps itself.

Steps are plain tuples `(op, label, args, kwargs)` whose arguments are numbers, strings, numpy arrays,
lists and dicts; an earlier step's object is referred to as `{"ref": index}`, a Keras activation
function as `{"keras_activation": name}`. A scenario is therefore
a deterministic value: the same check writes the same scenario for every submission.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from math import prod
from pathlib import Path
from typing import Any

import numpy as np

from grader.checks.failure import CheckFailure, NotImplementedYet, error_lines, error_summary, plain
from grader.checks.saved_file import SAVE_HINT
from grader.quiet import rephrase_warnings

SCENARIO_PROBE = "<scenario>"  # the probe name under which batch grading records a scenario
_MAX_TEXT = 300


@dataclass(frozen=True)
class KerasActivation:
    """A Keras activation function as a step argument, e.g. `KerasActivation("relu")`."""

    name: str

    def __repr__(self) -> str:
        return f"keras.activations.{self.name}"


@dataclass(frozen=True)
class Ref:
    """A step of a scenario: the learner object it made, or the fact it observed. `label` is how
    messages name it, e.g. `MyDense(4)`."""

    index: int
    label: str


class Scenario:
    """A sequence of steps on the learner's classes; each builder method adds one and returns its Ref."""

    def __init__(self) -> None:
        self.steps: list[tuple] = []

    def _add(self, op: str, label: str, *args: Any, **kwargs: Any) -> Ref:
        self.steps.append((op, label, tuple(_wire(a) for a in args), {k: _wire(v) for k, v in kwargs.items()}))
        return Ref(len(self.steps) - 1, label)

    # objects
    def learner_class(self, name: str) -> Ref:
        """The class `name` of the learner's file. Fact: {"is_class", "mro" (qualified names), "repr"}."""
        return self._add("learner_class", name, name)

    def new(self, cls: Ref, *args: Any, **kwargs: Any) -> Ref:
        """An instance: `cls(*args, **kwargs)`. Fact: None."""
        return self._add("new", f"{cls.label}({_shown(args, kwargs)})", cls, *args, **kwargs)

    def learner_model(self, function: str, *args: Any, label: str | None = None) -> Ref:
        """The model the learner's `function(*args)` returns (a CheckFailure as grader.checks.expect_model
        words it, naming it `label`, if it returns anything else). Fact: None.

        This is how a check holds a model that batch grading may not be able to rebuild from a config (a
        subclassed model, a Lambda layer): its later steps run it where the learner's code lives."""
        return self._add("learner_model", label or f"{function}({_shown(args, {})})", function, *args)

    def from_config(self, cls: Ref, obj: Ref) -> Ref:
        """`cls.from_config(obj.get_config())`. Fact: None."""
        return self._add("from_config", f"{cls.label}.from_config(config)", cls, obj, f"{obj.label}.get_config()")

    def keras_layer(self, class_name: str, **kwargs: Any) -> Ref:
        """A layer of Keras' own: `keras.layers.<class_name>(**kwargs)`. Fact: None."""
        return self._add("keras_layer", f"keras.layers.{class_name}({_shown((), kwargs)})", class_name, **kwargs)

    def sequential(self, input_shape: Sequence[int], layers: Sequence[Ref]) -> Ref:
        """`keras.Sequential([keras.Input(shape=input_shape), *layers])`. Fact: None."""
        shown = ", ".join(ref.label for ref in layers)
        return self._add("sequential", f"keras.Sequential([keras.Input(shape={tuple(input_shape)}), {shown}])",
                         list(input_shape), list(layers))

    # facts
    def attempt_new(self, cls: Ref, *args: Any, **kwargs: Any) -> Ref:
        """Try `cls(*args, **kwargs)`. Fact: {"raised": exception type name or None, "kinds": the names in
        its class's MRO, "message"}."""
        return self._add("attempt_new", f"{cls.label}({_shown(args, kwargs)})", cls, *args, **kwargs)

    def call(self, obj: Ref, x: np.ndarray, **kwargs: Any) -> Ref:
        """`obj(x, **kwargs)`. Fact: the output as a float numpy array."""
        extra = "".join(f", {k}={v!r}" for k, v in kwargs.items())
        return self._add("call", f"{obj.label}(x{extra}) on x of shape {tuple(np.shape(x))}", obj, x, **kwargs)

    def predict(self, model: Ref, x: np.ndarray) -> Ref:
        """Inference outputs of a model on `x` (grader.checks.predict_numpy): like `call` with
        training=False, but a model that cannot take `x` fails in shapes, not in Keras' words. Fact: the
        output as a float numpy array."""
        return self._add("predict", f"{model.label}(x) on x of shape {tuple(np.shape(x))}", model, x)

    def variables(self, obj: Ref) -> Ref:
        """Fact: the distinct variables as [(name, shape)], read with Layer's own `weights` property."""
        return self._add("variables", f"the weights of {obj.label}", obj)

    def build(self, obj: Ref, input_shape: Sequence[int]) -> Ref:
        """Build `obj` by calling it on a zero batch if it has no weights yet. Fact: True if it had to."""
        return self._add("build", obj.label, obj, list(input_shape))

    def output_shape(self, obj: Ref, input_shape: Sequence[int]) -> Ref:
        """Fact: the output shape for a `(None, *input_shape)` input, by a symbolic call."""
        return self._add("output_shape", f"the output of {obj.label}", obj, list(input_shape))

    def api(self, obj: Ref) -> Ref:
        """Fact: {"api": "sequential", "functional" or "subclassed" (graph.api_of), "type": class name}."""
        return self._add("api", obj.label, obj)

    def config(self, obj: Ref) -> Ref:
        """`obj.get_config()`. Fact: {"config", "type", "json_error", "not_implemented"}.

        `config` is a JSON-safe copy (None unless get_config() returned a dict, whose type is `type`):
        a value JSON cannot hold appears as {"python": repr}, a function as {"function": __name__}.
        `json_error` says why `json.dumps(config)` fails, if it does. `not_implemented` is the message
        of a NotImplementedError from get_config() ("" for a bare one, e.g. an untouched stub; Keras
        raises one with a message when it cannot write the config of a layer by itself).
        """
        return self._add("config", f"{obj.label}.get_config()", obj)

    def sublayers(self, obj: Ref) -> Ref:
        """Fact: {"bases": the Keras layer classes (other than Layer) among its class's bases, found by
        identity; "held": the qualified class names of the layers `obj` holds, those Keras tracks (nested
        too) and any other Layer among its attributes; "ran": the Keras layers' functions (other than the
        base Layer's) that ran inside a method of any object of its class during the scenario so far}."""
        return self._add("sublayers", f"the layers inside {obj.label}", obj)

    def attribute(self, obj: Ref, name: str) -> Ref:
        """Fact: `str(obj.<name>)`, shortened."""
        return self._add("attribute", f"{obj.label}.{name}", obj, name)

    def fit(self, obj: Ref, x: np.ndarray, y: np.ndarray, *, epochs: int, batch_size: int) -> Ref:
        """Compile with Adam and sparse cross-entropy on logits, then fit. Fact: the epochs' losses."""
        return self._add("fit", f"{obj.label}.fit(x, y)", obj, x, y, epochs=epochs, batch_size=batch_size)

    def registered_name(self, cls: Ref) -> Ref:
        """Fact: {"name": keras.saving.get_registered_name(cls), "found": whether Keras finds `cls` again
        under that name (keras.saving.get_registered_object)}."""
        return self._add("registered_name", f"the registered name of {cls.label}", cls)

    def save_and_reload(self, model: Ref, function: str) -> Ref:
        """Try the learner's `function(model, directory)` on a new, empty directory that the grader makes
        (batch grading makes it inside the submission's private scratch folder). The object is what it
        returned (None if it raised). Fact: {"files": the files it left in the directory (relative
        paths), "returned": the returned value's type name, "raised": the exception's type name or None,
        "message", "missing": the names of the learner's classes the model held that the returned one does
        not}. A bare NotImplementedError (an untouched stub) fails the step instead."""
        return self._add("save_and_reload", f"{function}({model.label}, directory)", model, function)

    def load_saved(self, saved: Ref) -> Ref:
        """Try `keras.saving.load_model(path)`, with no custom_objects, on the `.keras` file that the
        `save_and_reload` step `saved` left. The object is the loaded model (None if it raised). Fact:
        {"file": the file's name or None if there was none, "raised": type name or None, "message",
        "missing": the names of the learner's classes the saved model held that the loaded one does not}."""
        return self._add("load_saved", "keras.saving.load_model(the saved file)", saved.index)

    def read_saved(self, saved: Ref, x: np.ndarray) -> Ref:
        """The grader reads the `.keras` file that the `save_and_reload` step `saved` left, itself, with no
        code of the learner's (grader.checks.saved_file), and runs the model it describes on `x`. Fact:
        {"output": the output as a float numpy array, "registered": the registered names the file gives
        the learner's classes, "layers": the class names of the model's layers}. Batch grading reads the
        file in the challenger (grader.grade.challenge)."""
        return self._add("read_saved", f"the model in the saved file, on x of shape {tuple(np.shape(x))}",
                         saved.index, x)

    # state
    def seed(self, seed: int) -> Ref:
        """`keras.utils.set_random_seed(seed)` before the next steps. Fact: None."""
        return self._add("seed", f"set_random_seed({seed})", seed)

    def randomize(self, obj: Ref, seed: int, scale: float = 0.3) -> Ref:
        """Set every variable of `obj` to seeded random values (grader.checks.equivalence.assign_random),
        whatever their shapes. Fact: None."""
        return self._add("randomize", obj.label, obj, seed, scale)

    def assign(self, obj: Ref, values: Sequence[np.ndarray], *, source_label: str) -> Ref:
        """Give `obj`'s variables these values, matched as grader.checks.equivalence.assign_values does."""
        return self._add("assign", obj.label, obj, [np.asarray(v) for v in values], source_label)


def subclasses(fact: dict, base: type) -> bool:
    """Whether the class a `learner_class` step observed is a subclass of `base` (a Keras class)."""
    return bool(fact.get("is_class")) and f"{base.__module__}.{base.__qualname__}" in fact.get("mro", [])


def own_code_steps(scenario: Scenario, cls: Ref) -> list[Ref]:
    """Add a `sublayers` step for every object the scenario makes of `cls` so far; `expect_own_code` reads them."""
    made = [Ref(index, label) for index, (op, label, args, _) in enumerate(list(scenario.steps))
            if op == "new" and args and args[0] == {"ref": cls.index}]
    return [scenario.sublayers(ref) for ref in made]


# A parameter-free layer that applies an activation function: holding one computes what keras.activations.get
# gives, so it is no more Keras doing the exercise than that is (the function it wraps runs as the learner's).
ACTIVATION_LAYER = "keras.src.layers.activations.activation.Activation"


def expect_own_code(facts: Facts, cls: Ref, base: type, held: Sequence[Ref]) -> None:
    """The learner's class `cls` is written on `base` itself (keras.layers.Layer): no Keras layer class is among
    its bases (found by identity), and no object of it (`held`, from `own_code_steps`) holds a Keras layer or
    runs Keras layers' code inside its methods (Dense's call borrowed, a Normalization made in call()), except
    an `Activation` layer (ACTIVATION_LAYER): what it computes is an activation function, as
    keras.activations.get's would be; a Keras layer it wraps still runs its own code, which is caught."""
    mro = facts[cls].get("mro", [])
    nearest = next((name for name in mro[1:] if name.startswith("keras.")), "")
    for ref in held:
        try:
            fact = facts[ref]
        except CheckFailure:  # an earlier step failed: that failure is the check's
            continue
        bases = fact["bases"] or ([nearest.rsplit(".", 1)[-1]] if nearest and nearest != _qualified(base) else [])
        if bases:
            raise CheckFailure(f"`{cls.label}` subclasses keras.layers.{bases[0]}; this exercise asks you to write it "
                               "yourself", expected=f"class {cls.label}(keras.layers.{base.__name__})",
                               got=f"class {cls.label}({bases[0]})",
                               why=f"keras.layers.{bases[0]} already computes its output: what is graded is your own "
                               "code", hint=f"subclass keras.layers.{base.__name__} and write the methods the stub names")
        inside = [name.rsplit(".", 1)[-1] for name in fact["held"] if name.startswith("keras.")
                  and name != ACTIVATION_LAYER]
        ran = [name for name in fact["ran"] if not name.startswith("Activation.")]
        if inside or ran:
            shown = f"holds a keras.layers.{inside[0]}" if inside else f"runs Keras' {ran[0]}"
            raise CheckFailure(f"`{cls.label}` {shown} to compute for it; this exercise asks you to write the "
                               "computation yourself", expected=f"{cls.label}'s own call()",
                               got=", ".join(inside or ran)[:160],
                               hint="compute the output in call() yourself, with keras.ops (and weights of your own "
                               "from self.add_weight, where the layer has weights)")


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def parameter_count(variables: Sequence[tuple[str, Sequence[int]]]) -> int:
    """The number of scalars in the variables a `variables` step observed (from their shapes)."""
    return sum(prod(shape) for _, shape in variables)


def run_on_model_class(submission, scenario: Scenario, cls: Ref, *, input_shape: Sequence[int],
                       notes: list[str] | None = None, built: Sequence[Ref] = ()) -> Facts:
    """Play `scenario`, whose class `cls` must subclass keras.Model; note it when one of the `built` steps
    (`Scenario.build`) had to build a model that had no weights yet."""
    import keras

    from grader.checks.introspect import built_note

    facts = submission.run(scenario)
    fact = facts[cls]
    if not subclasses(fact, keras.Model):
        raise CheckFailure(f"`{cls.label}` is not a subclass of keras.Model",
                           expected=f"class {cls.label}(keras.Model)", got=fact["repr"],
                           why="fit, predict, summary and the training flag come from keras.Model",
                           hint=f"keep the stub's `class {cls.label}(keras.Model):` line")
    if notes is not None and any(facts[step] for step in built):
        notes.append(built_note(tuple(input_shape)))
    return facts


class Facts:
    """What a played scenario observed, one outcome per step; `facts[ref]` is the fact of that step."""

    def __init__(self, outcomes: list) -> None:
        self.outcomes = outcomes

    def __getitem__(self, ref: Ref) -> Any:
        outcome = self.outcomes[ref.index] if 0 <= ref.index < len(self.outcomes) else ["skipped"]
        if outcome[0] == "ok":
            return outcome[1]
        for earlier in self.outcomes[: ref.index + 1][::-1]:
            if earlier[0] == "failed":
                cls = NotImplementedYet if earlier[2] else CheckFailure
                raise cls.from_dict(earlier[1])
        raise CheckFailure(f"the grader could not observe {ref.label}")


def play(submission, steps: Sequence[tuple], commit=None) -> list:
    """Play `steps` on `submission` (a grader.checks.submission.Submission) in this process.

    Every scenario starts from the course's seed, so a learner's randomness (Dropout, initializers)
    plays out the same way here, in `course check` and in batch grading.

    `commit`, when given (batch grading: a grader.grade.challenge.Commitments), answers the steps that
    run an object: a `call` step's fact is `commit.call(obj, x, kwargs, run)`, a `build` or
    `output_shape` step's is `commit.ran(obj, input_shape, kwargs, run)`; `run()` plays the step here.

    Returns the outcomes as plain data: ["ok", fact], ["failed", CheckFailure.as_dict(), is it an
    untouched stub], or ["skipped"] for the steps after a failure.
    """
    import keras

    from grader.manifest import load_course

    keras.utils.set_random_seed(load_course().seed)  # every scenario plays from the same random state
    player = _Player(submission, commit)
    outcomes: list = []
    try:
        for index, (op, label, args, kwargs) in enumerate(steps):
            if outcomes and outcomes[-1][0] != "ok":
                outcomes.append(["skipped"])
                continue
            try:
                outcomes.append(["ok", player.play(index, op, label, args, kwargs)])
            except CheckFailure as failure:
                outcomes.append(["failed", failure.as_dict(), isinstance(failure, NotImplementedYet)])
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as error:  # noqa: BLE001 - learner code ran inside the step
                failure = CheckFailure(f"`{label}` raised {type(error).__name__}: {error_summary(error)}",
                                       hint="the line that failed is in your class; read the error above")
                outcomes.append(["failed", failure.as_dict(), False])
    finally:
        player.close()
    return outcomes


class _Player:
    """Runs the steps' operations; objects made by earlier steps are kept by index."""

    def __init__(self, submission, commit=None) -> None:
        self.submission = submission
        self.commit = commit
        self.objects: dict[int, Any] = {}
        self.directories: dict[int, str] = {}  # save_and_reload steps' directories, removed by close()
        self.classes: list[type] = []  # the learner's classes the scenario took
        self.held: dict[int, list[type]] = {}  # save_and_reload step -> the learner's classes the saved model held
        self.borrowed: dict[type, set[str]] = {}  # a learner's class -> Keras layers' code that ran in its objects
        self.index = -1

    def close(self) -> None:
        import shutil

        for directory in self.directories.values():
            shutil.rmtree(directory, ignore_errors=True)

    def play(self, index: int, op: str, label: str, args: tuple, kwargs: dict) -> Any:
        method = getattr(self, f"_op_{op}", None)
        if method is None:
            raise CheckFailure(f"the grader asked for an unknown step {op!r}")
        self.index = index
        args = tuple(self._resolve(a) for a in args)
        kwargs = {k: self._resolve(v) for k, v in kwargs.items()}
        with rephrase_warnings(self.submission.notes), _keras_layers_watched(self.classes, self.borrowed):
            self.objects[index], fact = method(label, *args, **kwargs)
        return fact

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and set(value) == {"ref"}:
            return self.objects[int(value["ref"])]
        if isinstance(value, dict) and set(value) == {"keras_activation"}:
            import keras

            return keras.activations.get(str(value["keras_activation"]))
        if isinstance(value, list):
            return [self._resolve(v) for v in value]
        return value

    def _invoke(self, fn: Any, label: str, *args: Any, **kwargs: Any) -> Any:
        return self.submission.invoke(fn, label, *args, **kwargs)

    def _op_learner_class(self, label, name):
        cls = self.submission.get(name, "class")
        is_class = isinstance(cls, type)
        if is_class:
            self.classes.append(cls)
        mro = [f"{c.__module__}.{c.__qualname__}" for c in cls.__mro__] if is_class else []
        return cls, {"is_class": is_class, "mro": mro, "repr": repr(cls)[:80]}

    def _op_learner_model(self, label, function, *args):
        from grader.checks.introspect import expect_model

        return expect_model(self._invoke(self.submission.get(function), f"{function}()", *args), label), None

    def _op_new(self, label, cls, *args, **kwargs):
        return _instance_of(cls, self._invoke(cls, label, *args, **kwargs), label), None

    def _op_from_config(self, label, cls, obj, config_label):
        config = self._invoke(obj.get_config, config_label)
        return _instance_of(cls, self._invoke(cls.from_config, label, config), label), None

    def _op_sequential(self, label, input_shape, layers):
        import keras

        return self._invoke(keras.Sequential, label, [keras.Input(shape=tuple(input_shape)), *layers]), None

    def _op_keras_layer(self, label, class_name, **kwargs):
        import keras

        cls = getattr(keras.layers, str(class_name), None)
        if not (isinstance(cls, type) and issubclass(cls, keras.layers.Layer)):
            raise CheckFailure(f"the grader asked for an unknown Keras layer {class_name!r}")
        return cls(**kwargs), None

    def _op_attempt_new(self, label, cls, *args, **kwargs):
        def attempt():
            try:
                cls(*args, **kwargs)
            except (NotImplementedError, KeyboardInterrupt, SystemExit):
                raise
            except BaseException as error:  # noqa: BLE001 - what the learner's constructor raised is the fact
                return error
            return None

        error = self._invoke(attempt, label)
        if error is None:
            return None, {"raised": None, "kinds": [], "message": ""}
        return None, {"raised": type(error).__name__, "kinds": [c.__name__ for c in type(error).__mro__],
                      "message": _text(error)}

    def _op_call(self, label, obj, x, **kwargs):
        def run():
            return np.asarray(self._invoke(obj, label, x, **kwargs), dtype="float32")

        return None, run() if self.commit is None else self.commit.call(obj, x, kwargs, run)

    def _op_predict(self, label, obj, x):
        from grader.checks.introspect import predict_numpy

        def run():
            return np.asarray(self._invoke(predict_numpy, label, obj, x), dtype="float32")

        return None, run() if self.commit is None else self.commit.call(obj, x, {"training": False}, run)

    def _op_variables(self, label, obj):
        from grader.checks.introspect import variables_of

        return None, [(str(v.name).split("/")[-1].split(":")[0], tuple(int(d) for d in v.shape))
                      for v in variables_of(obj)]

    def _op_build(self, label, obj, input_shape):
        from grader.checks.introspect import ensure_built, needs_building

        def run():
            unbuilt = needs_building(obj)
            ensure_built(obj, tuple(input_shape))
            return unbuilt

        if self.commit is None:
            return None, run()
        return None, self.commit.ran(obj, tuple(input_shape), {"training": False}, run)

    def _op_output_shape(self, label, obj, input_shape):
        from grader.checks.introspect import model_output_shape

        def run():
            return tuple(model_output_shape(obj, tuple(input_shape)))

        return None, run() if self.commit is None else self.commit.ran(obj, tuple(input_shape), {}, run)

    def _op_api(self, label, obj):
        from grader.checks.graph import api_of

        return None, {"api": api_of(obj), "type": type(obj).__name__}

    def _op_config(self, label, obj):
        def get_config():
            try:
                return False, obj.get_config()
            except NotImplementedError as error:  # Keras' own, when it cannot write the config by itself
                return True, _text(error, 1) if str(error) else ""

        not_implemented, config = self._invoke(get_config, label)
        if not_implemented:
            return None, {"config": None, "json_error": None, "not_implemented": config}
        if not isinstance(config, dict):
            return None, {"config": None, "json_error": None, "not_implemented": None, "type": type(config).__name__}
        try:
            json.dumps(config)
            json_error = None
        except (TypeError, ValueError) as error:
            json_error = _text(error, 1)
        return None, {"config": _json_safe(config), "json_error": json_error, "not_implemented": None,
                      "type": "dict"}

    def _op_sublayers(self, label, obj):
        import keras

        keras_layers = {id(c) for c in vars(keras.layers).values() if isinstance(c, type)} - {id(keras.layers.Layer)}
        bases = [c.__name__ for c in type(obj).__mro__ if id(c) in keras_layers]  # by identity: names can be set
        held = {}
        try:
            held.update((id(layer), layer) for layer in obj._flatten_layers(include_self=False, recursive=True))
        except Exception:  # noqa: BLE001 - not a Keras layer: it holds nothing Keras tracks
            pass
        held.update((id(value), value) for value in vars(obj).values() if isinstance(value, keras.layers.Layer)
                    and value is not obj)
        inside = [name for name in (f"{type(layer).__module__}.{type(layer).__qualname__}"[:_MAX_TEXT]
                                    for layer in held.values()) if name != ACTIVATION_LAYER][:50]
        ran = sorted(self.borrowed.get(type(obj), ()), key=lambda name: (not name.endswith(".call"), name))
        return None, {"bases": bases[:10], "held": inside, "ran": ran[:20]}

    def _op_attribute(self, label, obj, name):
        return None, str(self._invoke(getattr, label, obj, name))[:_MAX_TEXT]

    def _op_fit(self, label, obj, x, y, *, epochs, batch_size):
        import keras

        self._invoke(obj.compile, f"{label.removesuffix('.fit(x, y)')}.compile(...)", optimizer="adam",
                     loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        history = self._invoke(obj.fit, label, x, y, epochs=epochs, batch_size=batch_size, verbose=0)
        losses = getattr(history, "history", {}).get("loss", [])
        return None, [float(v) for v in losses]

    def _op_registered_name(self, label, cls):
        import keras

        name = keras.saving.get_registered_name(cls)
        return None, {"name": str(name)[:_MAX_TEXT], "found": keras.saving.get_registered_object(name) is cls}

    def _op_save_and_reload(self, label, model, function):
        import tempfile

        fn = self.submission.get(function)
        directory = tempfile.mkdtemp(prefix="course-save-")  # in batch grading: inside the private scratch
        self.directories[self.index] = directory

        def attempt():
            try:
                return fn(model, directory), None
            except (KeyboardInterrupt, SystemExit):
                raise
            except NotImplementedError as error:
                if not str(error):  # the learner's own bare `raise NotImplementedError`
                    raise
                return None, error
            except BaseException as error:  # noqa: BLE001 - what the learner's code raised is the fact
                return None, error

        held = self.held[self.index] = [cls for cls in self.classes if _holds(model, cls)]
        returned, error = self._invoke(attempt, label)
        files = sorted(str(p.relative_to(directory)) for p in Path(directory).rglob("*") if p.is_file())
        return returned, {"files": files[:20], "returned": type(returned).__name__,
                          "raised": None if error is None else type(error).__name__,
                          "message": "" if error is None else _cause_text(error),
                          "missing": [] if error is not None or returned is None else
                          [cls.__name__ for cls in held if not _holds(returned, cls)]}

    def _op_load_saved(self, label, saved_step):
        import keras

        directory = self.directories.get(int(saved_step))
        found = sorted(Path(directory).rglob("*.keras")) if directory else []
        if not found:
            return None, {"file": None, "raised": None, "message": ""}
        try:
            with rephrase_warnings(self.submission.notes):
                loaded = keras.saving.load_model(found[0])
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as error:  # noqa: BLE001 - the learner's class ran while loading
            return None, {"file": found[0].name, "raised": type(error).__name__, "message": _cause_text(error)}
        held = self.held.get(int(saved_step), [])
        return loaded, {"file": found[0].name, "raised": None, "message": "",
                        "missing": [cls.__name__ for cls in held if not _holds(loaded, cls)]}

    def _op_read_saved(self, label, saved_step, x):
        from grader.checks.saved_file import layer_names, read_saved_model, run_saved_model

        directory = self.directories.get(int(saved_step))
        found = sorted(p for p in Path(directory).rglob("*.keras") if p.is_file()) if directory else []
        if not found:
            raise CheckFailure("the grader found no .keras file to read", hint=SAVE_HINT)
        if self.commit is not None:  # batch grading: the challenger reads the file, on the real input
            return None, self.commit.saved_file(found[0], x)
        model, registered = read_saved_model(found[0])
        return None, {"output": run_saved_model(model, x), "registered": registered, "layers": layer_names(model)}

    def _op_seed(self, label, seed):
        import keras

        keras.utils.set_random_seed(int(seed))
        return None, None

    def _op_randomize(self, label, obj, seed, scale):
        from grader.checks.equivalence import assign_random

        assign_random(obj, seed=int(seed), scale=float(scale))
        return None, None

    def _op_assign(self, label, obj, values, source_label):
        from grader.checks.equivalence import assign_values

        assign_values(obj, values, source_label=source_label, target_label=label)
        return None, None


# Keras' layers' own code, which a learner's class must not run inside its methods (exercises 8 and 12 are
# to write what Keras' Dense and Normalization do): any module of keras/src/layers/ but the base Layer's.
_BASE_LAYER_FILES = ("layer.py", "input_spec.py", "__init__.py")


@contextlib.contextmanager
def _keras_layers_watched(classes: list[type], borrowed: dict[type, set[str]]) -> Iterator[None]:
    """While the block runs (a step, with any trace it makes), note every function of Keras' concrete layers
    that runs inside a method of an object of one of `classes` (in `borrowed`: class -> {"Dense.call", ...}),
    however the object reached it (a layer it holds anywhere, a Keras method it borrowed, one made in
    call()). A profile hook: Python functions only, for the block alone; layer classes only (the learner's
    Models, exercises 9 and 10, are made of Keras layers)."""
    import keras

    watched = tuple(c for c in classes if not issubclass(c, keras.Model))  # a Model of Keras' layers is the exercise
    if not watched:
        yield
        return
    folder = str(Path(keras.src.layers.__file__).parent) + os.sep

    def hook(frame, event, arg):
        if event != "call":
            return
        filename = frame.f_code.co_filename
        if not filename.startswith(folder) or filename.rsplit(os.sep, 1)[-1] in _BASE_LAYER_FILES and \
                os.path.dirname(filename) + os.sep == folder:
            return
        outer = frame
        while outer is not None:
            if outer.f_code.co_varnames[:1] == ("self",):
                owner = outer.f_locals.get("self")
                if type(owner) in watched:
                    borrowed.setdefault(type(owner), set()).add(frame.f_code.co_qualname[:80])
                    return
            outer = outer.f_back

    previous = sys.getprofile()
    sys.setprofile(hook)
    try:
        yield
    finally:
        sys.setprofile(previous)


def _instance_of(cls: Any, obj: Any, label: str) -> Any:
    """`obj`, which constructing the learner's class `cls` gave; a CheckFailure if it is no instance of
    `cls` (a `__new__` or `from_config` that hands back another class's object: the class itself is what
    the exercise asks for, and only its own instances run its code)."""
    if isinstance(cls, type) and not issubclass(type(obj), cls):  # type(): an object can lie in __class__
        raise CheckFailure(
            f"`{label}` gave a {type(obj).__name__}, not a {cls.__name__}",
            expected=f"an instance of {cls.__name__}", got=type(obj).__name__,
            why=f"the exercise is {cls.__name__} itself: creating it (directly or with from_config) must give "
            "an object of that class, whose methods are yours",
            hint=f"do not define __new__, and let from_config return cls(**config): an instance of {cls.__name__}")
    return obj


def _holds(model: Any, cls: type) -> bool:
    """Whether `model` is, or holds among its layers (nested ones too), an instance of `cls`."""
    if issubclass(type(model), cls):
        return True
    try:
        return any(issubclass(type(layer), cls) for layer in model._flatten_layers(include_self=False, recursive=True))
    except Exception:  # noqa: BLE001 - not a Keras model: it holds nothing
        return False


def _wire(value: Any) -> Any:
    if isinstance(value, Ref):
        return {"ref": value.index}
    if isinstance(value, KerasActivation):
        return {"keras_activation": value.name}
    if isinstance(value, (list, tuple)) and any(isinstance(v, Ref) for v in value):
        return [_wire(v) for v in value]
    return value


def _shown(args: tuple, kwargs: dict) -> str:
    return ", ".join([*map(_brief, args), *(f"{k}={_brief(v)}" for k, v in kwargs.items())])


def _brief(value: Any) -> str:
    """How a step's label shows an argument: arrays by their shape, the rest by repr."""
    if isinstance(value, np.ndarray):
        return f"<array of shape {value.shape}>"
    return repr(value)


def _text(error: BaseException, max_lines: int = 4) -> str:
    return error_lines(error, max_lines, _MAX_TEXT)


def _cause_text(error: BaseException) -> str:
    """What went wrong, for an error of Keras' loading: it wraps the cause ("Exception encountered: …")
    after a dump of the whole model config, and ends the cause with another ("Full object config: …")."""
    text = plain(str(error))
    if "Exception encountered:" in text:
        text = text.rsplit("Exception encountered:", 1)[1]
    text = text.split("Full object config:", 1)[0]
    return error_lines(text, 8, _MAX_TEXT) or type(error).__name__


def _json_safe(value: Any, depth: int = 0) -> Any:
    """A copy of a config made of JSON values only (see Scenario.config)."""
    if depth > 10:
        return {"python": "…"}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_json_safe(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v, depth + 1) for k, v in value.items()}
    if callable(value) and hasattr(value, "__name__"):
        return {"function": str(value.__name__)}
    return {"python": repr(value)[:80]}
