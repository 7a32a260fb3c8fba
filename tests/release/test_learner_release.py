"""The learner release works on its own: stubs fail helpfully, the source text's model passes, the
CLI's reset restores the shipped stub, no hidden check is present, and the README's commands work
end to end, handing in included."""

from __future__ import annotations

import hashlib
import json
import os
import select
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from grader.manifest import load_course
from grader.runner import run_checks

EXERCISES = load_course().exercises
SOURCE_TEXT_MODEL = ("import keras\n\n\ndef build_model():\n    return keras.Sequential([keras.Input(shape=(28, 28)), "
                     "keras.layers.Flatten(), keras.layers.Dense(128, activation='relu'), keras.layers.Dense(10)])\n")


def _read_until(process: subprocess.Popen, marker: str, timeout: float) -> str:
    """The process's output up to and including the first line holding `marker` (read unbuffered)."""
    output, deadline = "", time.monotonic() + timeout
    while marker not in output:
        if time.monotonic() > deadline or process.poll() is not None:
            raise AssertionError(f"no {marker!r} within {timeout} s; output so far:\n{output}")
        if select.select([process.stdout], [], [], 0.5)[0]:
            output += os.read(process.stdout.fileno(), 65536).decode(errors="replace")
    return output


def course(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COURSE_DATASET": "mnist5k", "COLUMNS": "120", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], cwd=root, capture_output=True, text=True,
                          env=env, timeout=300)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.filename)
def test_every_stub_fails_its_public_checks_with_a_message(root, exercise):
    result = run_checks(exercise, root / "exercises" / exercise.filename)
    assert result.checks and result.points == 0
    assert all("not implemented yet" in c.message for c in result.checks)
    assert not any(c.hidden for c in result.checks)


def test_this_is_the_release_s_own_grader(root):
    import grader

    assert Path(grader.__file__).resolve().parent.parent == root.resolve()


def test_no_hidden_checks_ship(root):
    hidden = root / "grader" / "checks_hidden"
    assert sorted(p.name for p in hidden.iterdir() if p.suffix == ".py") == ["__init__.py"]
    assert not (root / "solutions").exists()


def test_check_and_reset_work_without_solutions(root, tmp_path):
    import shutil

    shutil.copytree(root / "exercises", tmp_path / "exercises")
    assert course(tmp_path, "check", "4").returncode == 1
    target = tmp_path / "exercises" / "04_sequential.py"
    target.write_text(SOURCE_TEXT_MODEL)
    assert course(tmp_path, "check", "4").returncode == 0
    assert course(tmp_path, "reset", "4", "--yes").returncode == 0
    assert target.read_text() == (root / "exercises" / "04_sequential.py").read_text()


def test_this_copy_knows_it_is_the_learner_s():
    assert load_course().is_learner_copy


def test_the_readme_lists_every_exercise_and_every_learner_command(root):
    from grader.learner.cli import learner_commands

    readme = (root / "README.md").read_text()
    for exercise in EXERCISES:
        assert exercise.title in readme and f"(docs/{exercise.lesson})" in readme and exercise.filename in readme
        assert (root / "docs" / exercise.lesson).is_file()
    for command in learner_commands():
        assert f"`course {command.name}`" in readme and all(e.command in readme for e in command.examples)


def in_process(*args: str):
    """`course ARGS` run in this process (TensorFlow is imported once for the whole test)."""
    from typer.testing import CliRunner

    from grader.cli import app

    return CliRunner().invoke(app, list(args), env={"COLUMNS": "120", "NO_COLOR": "1"})


def test_the_readme_s_commands_work_end_to_end_and_submit_hands_in_what_was_checked(root, tmp_path, monkeypatch):
    """As the README says, on exercises 1 (left a stub) and 4: list, hint, watch, notebooks, check,
    submit and reset. `watch` and `submit` run as real `course` processes, the rest in this one."""
    (tmp_path / "exercises").mkdir()
    for name in ("01_flatten.py", "04_sequential.py"):
        shutil.copy(root / "exercises" / name, tmp_path / "exercises" / name)
    monkeypatch.chdir(tmp_path)
    listed = in_process("list")
    assert listed.exit_code == 0 and "not checked" in listed.stdout, listed.output
    refused = in_process("submit", "--student", "ada")
    assert refused.exit_code == 2 and "nothing to hand in" in refused.stderr, refused.output
    hint = in_process("hint", "4")
    nudge = " ".join(load_course().find("4").hint.split())  # the terminal's width decides where it wraps
    assert hint.exit_code == 0 and nudge in " ".join(hint.stdout.split()), hint.output

    answer = tmp_path / "exercises" / "04_sequential.py"
    watching = subprocess.Popen([sys.executable, "-m", "grader.cli", "watch", "4"], cwd=tmp_path, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                env={**os.environ, "COURSE_DATASET": "mnist5k", "NO_COLOR": "1", "TERM": "dumb"})
    try:
        assert "not implemented yet" in _read_until(watching, "watching", timeout=300)
        # saved at once: the file watcher started before the first check (grader.learner.watch)
        answer.write_text(SOURCE_TEXT_MODEL)
        assert "10/10 points" in _read_until(watching, "watching", timeout=120)
    finally:
        watching.terminate()
        watching.wait(timeout=10)

    notebooks = in_process("notebooks")
    assert notebooks.exit_code == 0 and (tmp_path / "notebooks" / "04_sequential.ipynb").is_file(), notebooks.output
    assert in_process("check", "--path", "notebooks/04_sequential.ipynb").exit_code == 0

    submitted = course(tmp_path, "submit", "--student", "ada")
    assert submitted.returncode == 0, submitted.stdout + submitted.stderr
    assert "warning: exercise 1 fails locally" in submitted.stderr and "exercise 4 fails" not in submitted.stderr
    with zipfile.ZipFile(tmp_path / "ada.zip") as archive:
        assert sorted(archive.namelist()) == ["01_flatten.py", "04_sequential.py", "submission.json"]
        record = json.loads(archive.read("submission.json"))
    entries = {e["exercise"]: e for e in record["exercises"]}
    assert entries["04"]["sha256"] == hashlib.sha256(answer.read_bytes()).hexdigest()
    assert entries["04"]["passed"] and entries["04"]["changed"] and not entries["01"]["changed"]
    assert record["course"] == load_course().title and record["learner_clock"]
    from grader.learner.submit import remembered_student

    assert remembered_student(tmp_path) == "ada"  # `course submit` alone uses it next time

    assert in_process("reset", "4", "--yes").exit_code == 0
    assert answer.read_text() == (root / "exercises" / "04_sequential.py").read_text()


def test_only_learner_commands_are_offered_and_an_instructor_s_says_whose_it_is(tmp_path):
    from grader.learner.cli import COMMANDS

    helped = course(tmp_path, "--help")
    listed = [line.split()[0] for line in helped.stdout.split("Commands:")[1].splitlines() if line.strip()]
    assert sorted(listed) == sorted(COMMANDS)
    for command in ("grade", "release", "gradescope", "nbgrader", "stubs"):
        typed = course(tmp_path, command, "submissions/")
        assert typed.returncode == 2 and "Traceback" not in typed.stderr
        assert typed.stderr.strip() == f"`course {command}` belongs to the instructor's copy of the course; this is " \
                                       "the learner's copy (`course --help` lists your commands)"
