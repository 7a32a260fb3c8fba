"""The learner release works on its own: stubs fail helpfully, the source text's model passes, the
CLI's reset restores the shipped stub, and no hidden check is present."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.manifest import load_course
from grader.runner import run_checks

EXERCISES = load_course().exercises


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
    target.write_text("import keras\n\n\ndef build_model():\n    return keras.Sequential([keras.Input(shape=(28, 28)), "
                      "keras.layers.Flatten(), keras.layers.Dense(128, activation='relu'), keras.layers.Dense(10)])\n")
    assert course(tmp_path, "check", "4").returncode == 0
    assert course(tmp_path, "reset", "4", "--yes").returncode == 0
    assert target.read_text() == (root / "exercises" / "04_sequential.py").read_text()
