"""Every solution passes every check (hidden ones too); every stub fails every check, readably."""

from __future__ import annotations

import pytest

from grader.author.stubs import stub_drift
from grader.manifest import load_course
from grader.runner import run_checks
from grader.solution_markers import make_stub, solution_blocks

EXERCISES = load_course().exercises


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.filename)
def test_solution_passes_every_check(root, exercise):
    result = run_checks(exercise, root / "solutions" / exercise.filename, include_hidden=True)
    failures = {c.name: c.message for c in result.checks if c.outcome != "passed"}
    assert result.error is None, result.error
    assert not failures, failures
    assert result.points == result.max_points == exercise.max_points
    assert {c.name for c in result.checks} == set(exercise.points), "manifest points and checks differ"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.filename)
def test_stub_fails_every_check_with_a_message(root, exercise):
    result = run_checks(exercise, root / "exercises" / exercise.filename, include_hidden=True)
    assert result.error is None, result.error
    assert result.checks and result.points == 0
    for check in result.checks:
        assert check.outcome == "failed"
        assert "not implemented yet" in check.message, check.message
        assert "Traceback" not in check.message


def test_stubs_match_their_generated_form(root):
    assert stub_drift(root / "solutions", root / "exercises") == []


def test_every_manifest_exercise_has_a_solution_with_markers(root):
    for exercise in EXERCISES:
        source = (root / "solutions" / exercise.filename).read_text(encoding="utf-8")
        assert solution_blocks(source, exercise.filename), f"{exercise.filename} has no solution block"
        assert "### BEGIN SOLUTION" not in make_stub(source)


def test_drift_is_detected(tmp_path, root):
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    exercises.mkdir()
    source = (root / "solutions" / "04_sequential.py").read_text(encoding="utf-8")
    (solutions / "04_sequential.py").write_text(source)
    (exercises / "04_sequential.py").write_text(make_stub(source) + "# edited by hand\n")
    assert stub_drift(solutions, exercises) == ["04_sequential.py"]
