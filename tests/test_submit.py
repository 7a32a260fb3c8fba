"""`course submit`: the learner's archive is one student for `course grade`, and earns there what
`course check` gives; it refuses clearly when there is nothing to hand in or the id would not do."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.learner.submit import (
    RECORD_NAME,
    SubmitRefused,
    archive_path,
    check_student_id,
    chosen_files,
)

pytestmark = pytest.mark.xdist_group("submit")
COURSE = [sys.executable, "-m", "grader.cli"]


def course(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COURSE_DATASET": "mnist5k", "COLUMNS": "160", "NO_COLOR": "1"}
    return subprocess.run([*COURSE, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=600)


@pytest.fixture
def workspace(tmp_path, root) -> Path:
    """A learner's folder holding exercises 1 (solved) and 4 (a wrong answer that earns some points)."""
    exercises = tmp_path / "learner" / "exercises"
    exercises.mkdir(parents=True)
    shutil.copy(root / "solutions" / "01_flatten.py", exercises / "01_flatten.py")
    shutil.copy(root / "tests" / "variants" / "04" / "wrong_no_bias.py", exercises / "04_sequential.py")
    return exercises.parent


def test_a_submitted_archive_earns_in_course_grade_the_points_course_check_gives(workspace, tmp_path):
    submitted = course(workspace, "submit", "--student", "alice")
    assert submitted.returncode == 0, submitted.stdout + submitted.stderr
    assert "warning: exercise 4 fails locally" in submitted.stderr and "exercise 1 fails" not in submitted.stderr
    archive = workspace / "alice.zip"
    with zipfile.ZipFile(archive) as zf:
        assert sorted(zf.namelist()) == ["01_flatten.py", "04_sequential.py", RECORD_NAME]
        record = json.loads(zf.read(RECORD_NAME))
        assert zf.read("04_sequential.py") == (workspace / "exercises" / "04_sequential.py").read_bytes()
    assert record["student"] == "alice" and record["learner_clock"] and "claim" in record["learner_clock_note"]
    local = {entry["exercise"]: entry for entry in record["exercises"]}
    assert local["01"]["passed"] and not local["04"]["passed"] and 0 < local["04"]["points"] < local["04"]["max_points"]

    checked = course(workspace, "check", "1", "4", "--hidden", "--json")
    check_points = {r["exercise"]: r["points"] for r in json.loads(checked.stdout)}
    public_points = {r["exercise"]: sum(c["points"] for c in r["checks"] if not c["hidden"])
                     for r in json.loads(checked.stdout)}
    assert public_points == {"01": local["01"]["points"], "04": local["04"]["points"]}

    out = tmp_path / "gradebook"
    graded = course(tmp_path, "grade", str(archive), "--out", str(out), "-e", "1", "-e", "4", "--workers", "1", "--json")
    assert graded.returncode == 0, graded.stdout + graded.stderr
    [student] = json.loads((out / "grades.json").read_text())["students"]
    assert student["student"] == "alice"
    assert {i: e["points"] for i, e in student["exercises"].items()} == check_points
    assert check_points["04"] < student["max_total"]


def test_submit_refuses_while_every_exercise_is_still_its_stub(tmp_path, root):
    shutil.copytree(root / "exercises", tmp_path / "exercises")
    refused = course(tmp_path, "submit", "--student", "alice")
    assert refused.returncode == 2 and "nothing to hand in" in refused.stderr, refused.stderr
    assert "Traceback" not in refused.stderr and not (tmp_path / "alice.zip").exists()


def test_a_student_id_is_checked_with_batch_intake_s_own_pattern():
    from grader.students import STUDENT_ID

    for good in ["alice", "a.b-c_d+e@uni.edu", "7"]:
        assert check_student_id(good) == good and STUDENT_ID.match(good)
    for bad in ["", "../alice", "=cmd()", "a b", "x" * 129]:
        with pytest.raises(SubmitRefused, match="not a student id"):
            check_student_id(bad)


def test_the_archive_is_named_after_the_student(tmp_path):
    assert archive_path("alice", None, tmp_path) == tmp_path / "alice.zip"
    assert archive_path("alice", tmp_path, tmp_path) == tmp_path / "alice.zip"
    assert archive_path("alice", tmp_path / "alice.zip", tmp_path) == tmp_path / "alice.zip"
    with pytest.raises(SubmitRefused, match="call it alice.zip"):
        archive_path("alice", tmp_path / "homework.zip", tmp_path)


def test_the_notebook_is_handed_in_when_it_was_edited_after_the_py_file(workspace, root):
    from grader.export.notebooks import write_learner_notebooks
    from grader.manifest import load_course

    exercises, notebooks = workspace / "exercises", workspace / "notebooks"
    shutil.copy(root / "exercises" / "04_sequential.py", exercises / "04_sequential.py")
    write_learner_notebooks(exercises, notebooks, [load_course().find("4")])
    chosen = {c.exercise.id: c for c in chosen_files(exercises, notebooks, workspace)}
    assert chosen["04"].path.name == "04_sequential.py" and not chosen["04"].changed  # just created: in sync
    notebook = notebooks / "04_sequential.ipynb"
    later = (exercises / "04_sequential.py").stat().st_mtime + 5
    os.utime(notebook, (later, later))
    chosen = {c.exercise.id: c for c in chosen_files(exercises, notebooks, workspace)}
    assert chosen["04"].path == notebook and chosen["04"].changed
    assert chosen["01"].path.name == "01_flatten.py" and chosen["01"].changed
