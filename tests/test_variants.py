"""Accept any correct answer, reject typical wrong ones with a message that points at the mistake.

Each file under tests/variants/<NN>/ is an independently written submission of exercise NN:
`correct_*.py` must pass every check (hidden ones too); `wrong_*.py` must lose points, and its
docstring's `expect: TEXT` names text that must appear in its FIRST failure message. No message may
contain a traceback, array values or tensor reprs, or compare misaligned layers one by one.
"""

from __future__ import annotations

import ast
import re

import pytest
from conftest import VARIANTS, checked, expected_fragment, in_words, pinned_split, variant_files

from grader.manifest import load_course
from grader.runner import run_checks

FILES = variant_files()


def _exercise(path):
    return load_course().find(path.parent.name)


@pytest.mark.parametrize("path", [p for p in FILES if p.name.startswith("correct_")],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_correct_variant_passes(path):
    result = checked(_exercise(path), path)
    assert result.error is None, result.error
    assert result.passed, {c.name: c.message for c in result.checks if c.outcome != "passed"}
    assert result.points == result.max_points


@pytest.mark.parametrize("path", [p for p in FILES if p.name.startswith("wrong_")],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_wrong_variant_fails_with_a_pointed_message(path):
    fragment = expected_fragment(path)
    assert fragment, f"{path.name} lacks an 'expect:' line in its docstring"
    result = checked(_exercise(path), path)
    assert result.error is None, result.error
    failed = [c for c in result.checks if c.outcome == "failed"]
    assert failed, f"{path.name} passed every check"
    assert result.points < result.max_points
    messages = "\n".join(c.message for c in failed)
    assert fragment in failed[0].message, f"the first failure does not mention {fragment!r}:\n{messages}"
    assert_messages_are_clean([c.message for c in result.checks])


# an array or tensor dump: "[[0.63 0.26", "[0.1, 0.2", "tf.Tensor(", "array(", "<tf.Variable"
ARRAY_VALUES = re.compile(r"\[\s*\[?\s*-?\d+\.\d*(e[-+]?\d+)?[\s,]+\[?-?\d|tf\.Tensor\(|\barray\(|<tf\.|<KerasTensor")
# a per-position comparison of layers ("layer 2 (Dense ...) has shape", "Dense layer 1 has 3,712 parameters")
POSITIONAL = re.compile(r"\blayer \d+ \(\w+|\b[A-Z]\w+ layer \d+ has\b")


def assert_messages_are_clean(messages: list[str]) -> None:
    """No traceback, no raw values, no more than one message comparing layers by position (a cascade)."""
    for message in messages:
        assert "Traceback" not in message and 'File "' not in message, message
        assert not ARRAY_VALUES.search(message), f"a message shows array values:\n{message}"
    positional = [m for m in messages if POSITIONAL.search(m)]
    assert len(positional) <= 1, "several messages compare layers by position:\n" + "\n".join(positional)


def test_every_exercise_has_five_correct_and_five_wrong_variants():
    for exercise in load_course().exercises:
        names = [p.name for p in FILES if p.parent.name == exercise.id]
        assert sum(n.startswith("correct_") for n in names) >= 5, exercise.id
        assert sum(n.startswith("wrong_") for n in names) >= 5, exercise.id


# The styles a learner may write an answer in, and the exercises where each applies. A correct variant names
# its styles in a docstring line `styles: a, b`; test_correct_variant_passes proves each keeps full points.
STYLES = {
    "tf-keras": {f"{n:02d}" for n in range(1, 12)},  # tf.keras instead of keras
    "separate-activation": {"04", "06", "07", "09", "10", "11"},  # ReLU()/Activation()/keras.ops.relu layers
    "sub-model": {"04", "06", "07", "09", "10"},  # nested Sequential or functional models
    "add-method": {"04", "10", "11"},  # Sequential built with .add()
    "operator-join": {"06", "07"},  # x + h, keras.ops.add / ops.concatenate instead of merge layers
    "numpy-alternative": {"02", "03", "08"},  # np.dot, np.einsum, tf.matmul, scipy instead of the lesson's op
    "other-optimizer": {"05", "11"},  # another optimizer or recipe that reaches the threshold
    "built-in-init": {"09", "10"},  # a subclass that builds its weights in __init__
    "own-layer": {"07"},  # a keras.layers.Layer subclass of the learner's own, made of Keras layers, in the graph
}


def styles_of(path) -> set[str]:
    for line in path.read_text(encoding="utf-8").splitlines()[:6]:
        if line.strip().startswith("styles:"):
            return {s.strip() for s in line.split(":", 1)[1].split(",") if s.strip()}
    return set()


def _dotted(node) -> str:
    """`keras.layers.ReLU` for the expression `keras.layers.ReLU`; `?` for what is not a plain name."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return "?"


def _called(tree) -> list[str]:
    return [_dotted(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)]


def _last(name: str) -> str:
    return name.rsplit(".", 1)[-1]


MODEL_MAKERS = {"Sequential", "Model"}
OTHER_OPTIMIZERS = {"SGD", "RMSprop", "Nadam", "Adamax", "Adagrad", "AdamW", "Lion", "Adadelta", "Ftrl"}


def _functions(tree) -> list:
    return [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


def _operator_join(tree) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and \
                not isinstance(node.left, ast.Constant) and not isinstance(node.right, ast.Constant):
            return True
    return any(_last(name) in ("add", "concatenate", "concat") and name.split(".")[-2:-1] in (["ops"], ["tf"])
               for name in _called(tree))


def _built_in_init(tree) -> bool:
    for function in (f for f in _functions(tree) if f.name == "__init__"):
        if any(name in ("self", "self.build") or _last(name) == "add_weight" for name in _called(function)):
            return True
    return False


# How each style shows in a file's code (its syntax tree, not its docstring): a variant that names a style
# must be written in it, so that the styles table above is a table of real rewrites.
STYLE_SIGNS = {
    # Keras through TensorFlow, or (in the numpy exercises, where no keras is imported) TensorFlow's own ops
    "tf-keras": lambda tree, text: bool(re.search(r"tf\.keras|tensorflow\.keras|from tensorflow import keras", text) or (
        re.search(r"^import tensorflow\b", text, re.MULTILINE) and not re.search(r"^(import|from) keras\b", text,
                                                                                 re.MULTILINE))),
    "separate-activation": lambda tree, text: any(
        _last(name) in ("ReLU", "Activation", "Softmax", "LeakyReLU", "relu", "softmax") for name in _called(tree)),
    "sub-model": lambda tree, text: any(
        sum(_last(name) in MODEL_MAKERS for name in _called(f)) >= (1 if f.name == "__init__" else 2)
        for f in _functions(tree)),
    "add-method": lambda tree, text: any(
        _last(name) == "add" and name.split(".")[-2:-1] not in (["ops"], ["tf"], ["np"], ["math"])
        for name in _called(tree)),
    "operator-join": lambda tree, text: _operator_join(tree),
    "numpy-alternative": lambda tree, text: "scipy" in text or any(
        _last(name) in ("dot", "einsum", "tensordot", "matmul") or name.startswith(("tf.nn.", "tf.math."))
        for name in _called(tree)),
    "other-optimizer": lambda tree, text: any(_last(name) in OTHER_OPTIMIZERS for name in _called(tree)) or bool(
        re.search(r"[\"'](sgd|rmsprop|nadam|adamax|adagrad|adamw|lion|adadelta|ftrl)[\"']", text, re.IGNORECASE)),
    "built-in-init": lambda tree, text: _built_in_init(tree),
    "own-layer": lambda tree, text: any(isinstance(node, ast.ClassDef) and any(_dotted(b).endswith("Layer") for b in node.bases)
                                        for node in ast.walk(tree)),
}


@pytest.mark.parametrize("path", [p for p in FILES if p.name.startswith("correct_") and styles_of(p)],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_correct_variant_is_written_in_the_styles_it_names(path):
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    absent = sorted(style for style in styles_of(path) if not STYLE_SIGNS[style](tree, text))
    assert not absent, f"{path.parent.name}/{path.name} names styles its code does not use: {absent}"


def test_a_correct_answer_of_every_exercise_is_rewritten_in_each_applicable_style():
    assert set(STYLE_SIGNS) == set(STYLES)
    correct = [p for p in FILES if p.name.startswith("correct_")]
    for path in correct:
        unknown = styles_of(path) - set(STYLES)
        assert not unknown, f"{path.parent.name}/{path.name} names unknown styles {unknown}"
        misplaced = {s for s in styles_of(path) if path.parent.name not in STYLES[s]}
        assert not misplaced, f"{path.parent.name}/{path.name}: {misplaced} do not apply to this exercise"
    missing = [(style, exercise) for style, exercises in STYLES.items() for exercise in sorted(exercises)
               if not any(p.parent.name == exercise and style in styles_of(p) for p in correct)]
    assert not missing, f"no correct variant written in these (style, exercise) pairs: {missing}"




REORDERED = [p for p in FILES if p.name.startswith("wrong_") and p.parent.name in ("04", "06", "07", "08")]


@pytest.mark.parametrize("path", REORDERED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_check_gives_the_same_message_alone_as_among_the_others(path):
    """Feedback never depends on what ran before it in the process: each failing check, run on its own,
    gives byte-for-byte the message it gave among all the others (Keras' layer-name counters, for one,
    advance with every model the earlier checks built; batch grading and nbgrader run checks in other
    groupings than `course check`)."""
    together = checked(_exercise(path), path)  # whichever process ran it first, after whatever it ran
    for check in (c for c in together.checks if c.outcome != "passed"):
        alone = run_checks(_exercise(path), path, include_hidden=True, only=check.name)
        assert [(c.name, c.message) for c in alone.checks] == [(check.name, check.message)]


# Wrong answers whose verdict or message once differed in batch grading: `course grade` must fail exactly the
# checks `course check` fails, with the same messages (a module-level model passed the fresh-model check when
# batch grading rebuilt one recorded answer twice; a model declared with the example's shape as its batch
# shape failed exercise 1's output-shape check in batch on a graph that could not be traced, while
# `course check`'s symbolic call let it through; a subclassed capstone model is traced in batch).
# Exercises 08-10 and 12's wrong variants go through the batch grader in tests/test_batch.py
# (test_class_exercises_grade_in_batch_exactly_as_in_course_check); every other wrong variant does here.
WRONG_IN_BATCH = [n for n in (f"{p.parent.name}/{p.name}" for p in FILES if p.name.startswith("wrong_"))
                  if n[:2] not in ("08", "09", "10", "12")]

# Correct answers that batch grading cannot grade yet, and fails while `course check` passes them (none:
# a subclassed capstone model is traced into its functional equivalent in the student's process and
# trained by the grader like any functional model, grader.grade.values.functional_equivalent).
NOT_YET_IN_BATCH: dict[str, str] = {}


def _name(path) -> str:
    return f"{path.parent.name}/{path.name}"


@pytest.fixture(scope="module")
def batch_graded(tmp_path_factory):
    """Every correct variant graded by `course grade` in one run: one student per variant, holding that
    variant under its exercise's file name."""
    import json
    import os
    import shutil
    import subprocess
    import sys

    course = load_course()
    base = tmp_path_factory.mktemp("variants-batch")
    for path in FILES:
        if path.name.startswith("correct_") or _name(path) in WRONG_IN_BATCH:
            folder = base / "class" / f"{path.parent.name}-{path.stem}"
            folder.mkdir(parents=True)
            shutil.copy(path, folder / course.find(path.parent.name).filename)
    done = subprocess.run([sys.executable, "-m", "grader.cli", "grade", str(base / "class"), "--out", str(pinned_split(base / "out")),
                           "--json"], capture_output=True, text=True, timeout=1800,
                          env={**os.environ, "COURSE_DATASET": "mnist5k"})
    assert done.returncode == 0, done.stderr[-3000:]
    return {r["student"]: r for r in json.loads((base / "out" / "grades.json").read_text())["students"]}


@pytest.mark.xdist_group("variants_batch")
@pytest.mark.parametrize("path", [pytest.param(p, marks=pytest.mark.xfail(_name(p) in NOT_YET_IN_BATCH, strict=True,
                                                                          reason=NOT_YET_IN_BATCH.get(_name(p), "")))
                                  for p in FILES if p.name.startswith("correct_")], ids=_name)
def test_correct_variant_gets_full_points_in_course_grade_too(path, batch_graded):
    """`course grade` gives a correct answer exactly what `course check` gives it: every check passed
    (test_correct_variant_passes proves `course check` does)."""
    exercise = _exercise(path)
    graded = batch_graded[f"{path.parent.name}-{path.stem}"]["exercises"][exercise.id]
    assert graded["status"] == "graded", (graded["status"], graded["reason"])
    assert {c["name"]: c["outcome"] for c in graded["checks"]} == {name: "passed" for name in exercise.points}, \
        {c["name"]: c["message"] for c in graded["checks"] if c["outcome"] != "passed"}
    assert graded["points"] == exercise.max_points


@pytest.mark.xdist_group("variants_batch")
@pytest.mark.parametrize("path", [p for p in FILES if _name(p) in WRONG_IN_BATCH], ids=_name)
def test_wrong_variant_fails_the_same_checks_in_course_grade(path, batch_graded):
    """`course grade` fails a wrong answer's checks exactly where `course check` does, with the same
    messages but their numbers (`in_words`: the held-out split and the checks' arrays are drawn with
    secret keys)."""
    exercise = _exercise(path)
    checked_here = checked(exercise, path)
    graded = batch_graded[f"{path.parent.name}-{path.stem}"]["exercises"][exercise.id]
    assert graded["status"] == "graded", (graded["status"], graded["reason"])
    renamed = exercise.filename  # the batch grades the file under its exercise's name
    assert [(c["name"], c["outcome"], in_words(c["message"])) for c in graded["checks"]] == \
        [(c.name, c.outcome, in_words(c.message.replace(path.name, renamed))) for c in checked_here.checks]
    first = next(c for c in graded["checks"] if c["outcome"] == "failed")
    assert expected_fragment(path) in first["message"], first["message"]
    assert graded["points"] == checked_here.points < exercise.max_points


def test_a_float32_softmax_keeps_its_hidden_point_under_every_key():
    """Batch grading draws exercise 3's hidden logits anew in every run: a softmax computed in float32 lost
    the hidden point on about one draw in eight (rows whose two largest logits are close), so its score
    changed from run to run. Under 60 keys it now passes every time."""
    import importlib.util

    from grader.checks.inputs import drawn_with
    from grader.checks_hidden.test_03_activations import test_hidden_softmax_on_wide_random_logits as check

    spec = importlib.util.spec_from_file_location("float32_answer", VARIANTS / "03" / "correct_float32.py")
    answer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(answer)

    class Submission:
        def call(self, name, *args, **kwargs):
            return getattr(answer, name)(*args, **kwargs)

    for key in range(60):
        with drawn_with(key.to_bytes(32, "big")):
            check(Submission())
