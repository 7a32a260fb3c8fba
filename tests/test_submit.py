"""`course submit`: the learner's archive is one student for `course grade`, and earns there what
`course check` gives (its notebook form too); bad input a learner meets (an id the grader would not
take, a folder that is not there, nothing solved, a file the grader would not read) is refused in one
line before anything is checked, and an exercise with no file, or one that fails, is handed in with a
warning."""

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
    write_submission,
)
from grader.students import MAX_SOURCE_BYTES

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
    shutil.copy(root / "exercises" / "04_sequential.py", tmp_path / "stub_04.py")
    return exercises.parent


def test_a_submitted_archive_earns_in_course_grade_the_points_course_check_gives(workspace, tmp_path):
    """Exercise 1 as a script and exercise 4 as its notebook form (edited in Jupyter after the script,
    a wrong answer that earns some points); the other exercises' files are gone."""
    from grader.export.notebooks import write_learner_notebooks
    from grader.learner.commands import check
    from grader.manifest import load_course

    exercises, notebooks = workspace / "exercises", workspace / "notebooks"
    write_learner_notebooks(exercises, notebooks, [load_course().find("4")])
    shutil.copy(workspace.parent / "stub_04.py", exercises / "04_sequential.py")  # the script is the stub again
    notebook = notebooks / "04_sequential.ipynb"
    later = (exercises / "04_sequential.py").stat().st_mtime + 5
    os.utime(notebook, (later, later))

    submitted = course(workspace, "submit", "--student", "alice")
    assert submitted.returncode == 0, submitted.stdout + submitted.stderr
    assert "warning: exercise 4 fails locally" in submitted.stderr and "exercise 1 fails" not in submitted.stderr
    others = ", ".join(str(e.number) for e in load_course().exercises if e.id not in ("01", "04"))
    assert f"warning: exercises {others} have no file in exercises/; they are not handed in" in submitted.stderr
    archive = workspace / "alice.zip"
    with zipfile.ZipFile(archive) as zf:
        assert sorted(zf.namelist()) == ["01_flatten.py", "04_sequential.ipynb", RECORD_NAME]
        record = json.loads(zf.read(RECORD_NAME))
        assert zf.read("04_sequential.ipynb") == notebook.read_bytes()
    assert record["student"] == "alice" and record["learner_clock"] and "claim" in record["learner_clock_note"]
    assert record["missing"] == [e.id for e in load_course().exercises if e.id not in ("01", "04")]
    local = {entry["exercise"]: entry for entry in record["exercises"]}
    assert local["04"]["file"] == "04_sequential.ipynb"
    assert local["01"]["passed"] and not local["04"]["passed"] and 0 < local["04"]["points"] < local["04"]["max_points"]

    # what `course check --hidden` gives each handed-in file (run here: TensorFlow is imported once)
    [checked_1] = check(["01"], exercises / "01_flatten.py", tmp_path, include_hidden=True)
    [checked_4] = check(["04"], notebook, tmp_path, include_hidden=True)
    check_points = {"01": checked_1.points, "04": checked_4.points}
    public_points = {r.exercise: sum(c.points for c in r.checks if not c.hidden) for r in (checked_1, checked_4)}
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
    (tmp_path / "notes.txt").write_text("")
    with pytest.raises(SubmitRefused, match="call it alice.zip"):  # an existing file, not a folder
        archive_path("alice", tmp_path / "notes.txt", tmp_path)
    for missing in (tmp_path / "handin", tmp_path / "handin" / "alice.zip"):
        with pytest.raises(SubmitRefused, match=f"no folder {tmp_path / 'handin'} to write alice.zip in"):
            archive_path("alice", missing, tmp_path)


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


def _run_fast(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """`course ARGS` in a terminal 40 columns wide: a message that rich would wrap shows as two lines."""
    env = {**os.environ, "COLUMNS": "40", "NO_COLOR": "1"}
    return subprocess.run([*COURSE, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300)


@pytest.mark.parametrize(("args", "says"), [
    (["--student", "Ada Lovelace"], "'Ada Lovelace' is not a student id the grader accepts (letters, digits and"),
    (["--student", "../alice"], "'../alice' is not a student id the grader accepts"),
    (["--student", "alice", "--out", "handin"], "no folder handin to write alice.zip in: create it first"),
    (["--student", "alice", "--out", "handin/alice.zip"], "no folder handin to write alice.zip in: create it first"),
    (["--student", "alice", "--out", "homework.zip"], "call it alice.zip (or give a folder to write it in), not homework.zip"),
    ([], "which student are you? course submit --student ID"),
], ids=["id with a space", "id with a path", "no such folder", "no such folder for the zip", "zip not named after the id",
        "no id"])
def test_bad_input_is_refused_in_one_line_before_anything_is_checked(workspace, args, says):
    refused = _run_fast(workspace, "submit", *args)
    assert refused.returncode == 2 and refused.stdout == "", refused.stdout + refused.stderr
    assert refused.stderr.count("\n") == 1 and says in refused.stderr, refused.stderr
    assert not list(workspace.rglob("*.zip")) and not (workspace / ".course").exists()  # nothing checked or written


def test_submit_refuses_a_file_larger_than_the_grader_reads_and_says_how_to_shrink_it(workspace):
    notebooks = workspace / "notebooks"
    notebooks.mkdir()
    (notebooks / "04_sequential.ipynb").write_text('{"cells": [], "outputs": "' + "x" * MAX_SOURCE_BYTES + '"}')
    with pytest.raises(SubmitRefused, match=r"is 2,097,\d+ bytes; the grader reads exercise files of at most "
                                            r"2,097,152 bytes.*Clear All Outputs"):
        chosen_files(workspace / "exercises", notebooks, workspace)


def test_a_file_that_is_not_utf8_text_counts_as_changed_instead_of_crashing(workspace):
    (workspace / "exercises" / "01_flatten.py").write_bytes(b"\xff\xfe\x00 not text")
    chosen = {c.exercise.id: c for c in chosen_files(workspace / "exercises", workspace / "notebooks", workspace)}
    assert chosen["01"].changed


def test_submitting_again_replaces_the_archive_and_a_file_that_does_not_compile_is_handed_in_as_failing(tmp_path, root):
    exercises = tmp_path / "exercises"
    exercises.mkdir()
    shutil.copy(root / "solutions" / "01_flatten.py", exercises / "01_flatten.py")
    (exercises / "03_activations.py").write_text("def relu(x:\n    return x\n")
    files = chosen_files(exercises, tmp_path / "notebooks", tmp_path)
    first = write_submission("alice", files, tmp_path, out=tmp_path)
    assert not first.replaced and [e.exercise for e in first.failing] == ["03"]
    assert first.failing[0].points == 0 and first.failing[0].changed
    (exercises / "03_activations.py").write_text("def relu(x):\n    return x\n")
    second = write_submission("alice", chosen_files(exercises, tmp_path / "notebooks", tmp_path), tmp_path)
    assert second.replaced and second.archive == first.archive == tmp_path / "alice.zip"
    with zipfile.ZipFile(second.archive) as zf:
        assert zf.read("03_activations.py") == b"def relu(x):\n    return x\n"
        assert json.loads(zf.read(RECORD_NAME))["exercises"][1]["sha256"] == second.exercises[1].sha256
    assert not list(tmp_path.glob(".alice.*"))  # no temporary archive left behind


def test_the_learner_s_clock_is_not_a_deadline_s_submission_time_not_even_through_the_archive_s_member_times(tmp_path):
    """An archive `course submit` wrote carries the learner's clock in its member times too: `course grade
    --deadline` takes its time from the instructor (--submissions-csv), else it is unknown; a hand-made
    zip keeps the documented fallback (its newest member's time)."""
    from datetime import datetime, timedelta

    from grader.grade.deadlines import LateTerms, submission_time

    deadline = datetime.fromisoformat("2026-12-01T23:59+01:00")
    terms = LateTerms(deadline)
    late = (2026, 12, 3, 12, 0, 0)
    for name, members in (("alice.zip", ["01_flatten.py", RECORD_NAME]), ("bob.zip", ["01_flatten.py"])):
        with zipfile.ZipFile(tmp_path / name, "w") as zf:
            for member in members:
                zf.writestr(zipfile.ZipInfo(member, late), "x = 1\n")
    handed_in = submission_time("alice", tmp_path / "alice.zip", terms)
    assert handed_in.at is None and "written by `course submit`" in handed_in.source
    assert "--submissions-csv" in handed_in.source
    assert submission_time("bob", tmp_path / "bob.zip", terms).at == datetime(*late, tzinfo=deadline.tzinfo)
    received = deadline + timedelta(hours=1)
    told = LateTerms(deadline, submitted={"alice": received}, submissions_csv="times.csv")
    assert submission_time("alice", tmp_path / "alice.zip", told).at == received
