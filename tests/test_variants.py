"""Accept any correct answer, reject typical wrong ones with a message that points at the mistake.

Each file under tests/variants/<NN>/ is an independently written submission of exercise NN:
`correct_*.py` must pass every check (hidden ones too); `wrong_*.py` must lose points, and its
docstring's `expect: TEXT` names text that must appear in a failure message.
"""

from __future__ import annotations

import pytest
from conftest import expected_fragment, variant_files

from grader.manifest import load_course
from grader.runner import run_checks

FILES = variant_files()


def _exercise(path):
    return load_course().find(path.parent.name)


@pytest.mark.parametrize("path", [p for p in FILES if p.name.startswith("correct_")],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_correct_variant_passes(path):
    result = run_checks(_exercise(path), path, include_hidden=True)
    assert result.error is None, result.error
    assert result.passed, {c.name: c.message for c in result.checks if c.outcome != "passed"}


@pytest.mark.parametrize("path", [p for p in FILES if p.name.startswith("wrong_")],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_wrong_variant_fails_with_a_pointed_message(path):
    fragment = expected_fragment(path)
    assert fragment, f"{path.name} lacks an 'expect:' line in its docstring"
    result = run_checks(_exercise(path), path, include_hidden=True)
    assert result.error is None, result.error
    failed = [c for c in result.checks if c.outcome == "failed"]
    assert failed, f"{path.name} passed every check"
    assert result.points < result.max_points
    messages = "\n".join(c.message for c in failed)
    assert fragment in messages, f"no failure message mentions {fragment!r}:\n{messages}"
    assert "Traceback" not in messages


def test_every_exercise_has_three_correct_and_three_wrong_variants():
    for exercise in load_course().exercises:
        names = [p.name for p in FILES if p.parent.name == exercise.id]
        assert sum(n.startswith("correct_") for n in names) >= 3, exercise.id
        assert sum(n.startswith("wrong_") for n in names) >= 3, exercise.id



REORDERED = [p for p in FILES if p.name.startswith("wrong_") and p.parent.name in ("04", "06", "07", "08")]


@pytest.mark.parametrize("path", REORDERED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_check_gives_the_same_message_alone_as_among_the_others(path):
    """Feedback never depends on what ran before it in the process: each failing check, run on its own,
    gives byte-for-byte the message it gave among all the others (Keras' layer-name counters, for one,
    advance with every model the earlier checks built; batch grading and nbgrader run checks in other
    groupings than `course check`)."""
    together = run_checks(_exercise(path), path, include_hidden=True)
    for check in (c for c in together.checks if c.outcome != "passed"):
        alone = run_checks(_exercise(path), path, include_hidden=True, only=check.name)
        assert [(c.name, c.message) for c in alone.checks] == [(check.name, check.message)]


# Correct answers that batch grading cannot grade by behaviour yet, and fails while `course check` passes
# them: the trusted process cannot rebuild them from a config, and commit-then-challenge covers only the
# classes of exercises 8-10 so far (README, "How a grade is computed").
NOT_YET_IN_BATCH = {
    "01/correct_subclassed.py": "a subclassed model",
    "01/correct_lambda_reshape.py": "a Lambda layer",
    "11/correct_subclassed_softmax.py": "a subclassed model",
    "05/correct_rmsprop_function_loss.py": "a loss function of the learner's own, which the trusted trainer needs",
}


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
        if path.name.startswith("correct_"):
            folder = base / "class" / f"{path.parent.name}-{path.stem}"
            folder.mkdir(parents=True)
            shutil.copy(path, folder / course.find(path.parent.name).filename)
    done = subprocess.run([sys.executable, "-m", "grader.cli", "grade", str(base / "class"), "--out", str(base / "out"),
                           "--json"], capture_output=True, text=True, timeout=1800,
                          env={**os.environ, "COURSE_DATASET": "digits"})
    assert done.returncode == 0, done.stderr[-3000:]
    return {r["student"]: r for r in json.loads((base / "out" / "grades.json").read_text())["students"]}


@pytest.mark.xdist_group("batch")
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
