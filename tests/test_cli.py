"""The learner CLI, run as a learner runs it: a real `course` process in a copy of the course."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

COURSE = [sys.executable, "-m", "grader.cli"]


@pytest.fixture
def workspace(root, tmp_path) -> Path:
    """A learner's checkout: untouched stubs in exercises/, solutions/ beside them (for reset)."""
    shutil.copytree(root / "exercises", tmp_path / "exercises")
    shutil.copytree(root / "solutions", tmp_path / "solutions")
    return tmp_path


def course(workspace: Path, *args: str, timeout: int = 240) -> subprocess.CompletedProcess:
    env = {**os.environ, "COURSE_DATASET": "mnist5k", "COLUMNS": "120", "NO_COLOR": "1"}
    return subprocess.run([*COURSE, *args], cwd=workspace, capture_output=True, text=True, env=env,
                          timeout=timeout)


SOURCE_TEXT_MODEL = '''
import tensorflow as tf


def build_model():
    return tf.keras.models.Sequential([
        tf.keras.layers.Flatten(input_shape=(28, 28)),
        tf.keras.layers.Dense(128, activation='relu'),
        tf.keras.layers.Dense(10),
    ])
'''


def test_check_4_on_the_stub_fails_helpfully_then_passes_with_the_source_text_model(workspace):
    first = course(workspace, "check", "4")
    assert first.returncode == 1
    assert "not implemented yet" in first.stdout
    assert "course hint 4" in first.stdout
    assert "Traceback" not in first.stdout + first.stderr
    assert "tensorflow" not in first.stderr.lower(), first.stderr  # no TensorFlow log noise

    (workspace / "exercises" / "04_sequential.py").write_text(SOURCE_TEXT_MODEL)
    second = course(workspace, "check", "04")
    assert second.returncode == 0, second.stdout
    assert "10/10 points" in second.stdout
    assert "input_shape=" in second.stdout  # the deprecation warning, rephrased as a note
    assert second.stderr.strip() == "", second.stderr


@pytest.mark.parametrize("key", ["4", "04", "sequential"])
def test_exercise_ids_accept_number_padded_number_and_name(workspace, key):
    result = course(workspace, "hint", key)
    assert result.returncode == 0
    assert "Exercise 4" in result.stdout and "NO activation" in result.stdout


def test_hint_gives_a_nudge_then_the_api_then_a_worked_line(workspace):
    nudge = course(workspace, "hint", "3")
    assert "Hint 1" in nudge.stdout and "Hint 2" not in nudge.stdout and "np.maximum" not in nudge.stdout
    assert "course hint 3 --more" in nudge.stdout
    api = course(workspace, "hint", "3", "--more")
    assert "Hint 2 — the API to use" in api.stdout and "np.maximum" in api.stdout and "Hint 3" not in api.stdout
    worked = course(workspace, "hint", "3", "--more", "--more")
    assert "Hint 3 — a worked line" in worked.stdout and "z.max(axis=axis, keepdims=True)" in worked.stdout


def test_unknown_exercise_is_a_clear_error(workspace):
    result = course(workspace, "check", "42")
    assert result.returncode == 2
    assert "no exercise called '42'" in result.stderr
    assert "Traceback" not in result.stderr


def test_commands_that_run_no_check_answer_without_tensorflow(workspace):
    """`course list`, `hint`, `notebooks` and a misspelt `check 42` import neither TensorFlow (≈5 s) nor the
    IRI grammar jsonschema compiles for nbformat (≈3 s, grader.lean_imports): they answer in about a second.
    Python's own record of what each process imported decides, not a clock."""
    probe = ("import runpy, sys\n"
             "sys.argv = ['course', *sys.argv[1:]]\n"
             "try:\n    runpy.run_module('grader.cli', run_name='__main__')\n"
             "except SystemExit:\n    pass\n"
             "print('IMPORTED', sorted(m for m in ('tensorflow', 'keras', 'rfc3987_syntax') if sys.modules.get(m) is not None))\n")
    env = {**os.environ, "COURSE_DATASET": "mnist5k", "COLUMNS": "120", "NO_COLOR": "1"}
    for args in (["list"], ["hint", "4"], ["notebooks"], ["check", "42"]):
        done = subprocess.run([sys.executable, "-c", probe, *args], cwd=workspace, capture_output=True, text=True,
                              env=env, timeout=120)
        assert "IMPORTED []" in done.stdout, (args, done.stdout[-2000:], done.stderr[-2000:])
    assert (workspace / "notebooks" / "04_sequential.ipynb").is_file()  # the notebooks were written and valid
    import nbformat

    nbformat.validate(nbformat.read(workspace / "notebooks" / "04_sequential.ipynb", as_version=4))


def test_json_output_matches_the_result(workspace):
    result = course(workspace, "check", "1", "--json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data[0]["exercise"] == "01" and data[0]["points"] == 0
    assert all(c["outcome"] == "failed" for c in data[0]["checks"])
    ok = course(workspace, "check", "1", "--json", "--path", "solutions")
    assert ok.returncode == 0
    assert json.loads(ok.stdout)[0]["passed"] is True


def test_check_a_single_file_by_path(workspace):
    result = course(workspace, "check", "--path", "solutions/03_activations.py")
    assert result.returncode == 0, result.stdout
    assert "Exercise 3" in result.stdout


def test_list_shows_progress_after_checks(workspace):
    course(workspace, "check", "2", "--path", "solutions")
    listed = course(workspace, "list", "--path", "solutions", "--json")
    rows = {row["id"]: row for row in json.loads(listed.stdout)}
    assert rows["02"]["status"] == "passed"
    assert rows["01"]["status"] == "not checked"
    table = course(workspace, "list", "--path", "solutions")
    assert "Progress" in table.stdout and "passed" in table.stdout


def test_reset_restores_the_stub_and_keeps_a_backup(workspace):
    target = workspace / "exercises" / "04_sequential.py"
    stub = target.read_text()
    target.write_text(SOURCE_TEXT_MODEL)
    result = course(workspace, "reset", "4", "--yes")
    assert result.returncode == 0, result.stderr
    assert target.read_text() == stub
    backups = list((workspace / ".course" / "backup").glob("04_sequential.*.py"))
    assert len(backups) == 1 and backups[0].read_text() == SOURCE_TEXT_MODEL


def test_syntax_error_is_reported_with_its_line(workspace):
    (workspace / "exercises" / "04_sequential.py").write_text("def build_model(:\n    pass\n")
    result = course(workspace, "check", "4")
    assert result.returncode == 1
    assert "does not compile" in result.stdout and "line 1" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_watch_rechecks_on_save(workspace):
    """`course watch 4` re-checks when the file is saved, and the re-check is cheap: TensorFlow is imported
    once, so a re-check costs a fraction of an import. Measured in the watcher's CPU time, which other
    load on the machine does not inflate the way it inflates the wall clock. The file is saved as soon
    as "watching" is printed: the watcher started before the first check."""
    env = {**os.environ, "COURSE_DATASET": "mnist5k", "COLUMNS": "120", "NO_COLOR": "1", "TERM": "dumb"}
    proc = subprocess.Popen([*COURSE, "watch", "4"], cwd=workspace, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env)
    try:
        output = _read_until(proc, "watching", timeout=120)
        assert "not implemented yet" in output
        first_check_cpu = _cpu_seconds(proc.pid)  # the TensorFlow import and the first check
        before = _cpu_seconds(proc.pid)
        (workspace / "exercises" / "04_sequential.py").write_text(SOURCE_TEXT_MODEL)
        output = _read_until(proc, "watching", timeout=120)
        recheck_cpu = _cpu_seconds(proc.pid) - before
        assert "10/10 points" in output
        assert recheck_cpu < min(3.0, first_check_cpu / 2), \
            f"the re-check took {recheck_cpu:.1f} s of CPU; start-up took {first_check_cpu:.1f} s"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all its threads, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _read_until(proc: subprocess.Popen, marker: str, timeout: float) -> str:
    """Read the process's output until a line contains `marker` (unbuffered: select() and a
    buffered readline() together can wait forever on lines already read into the buffer)."""
    import selectors
    import time

    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    deadline, seen = time.monotonic() + timeout, getattr(proc, "_pending", "")
    while marker not in seen and time.monotonic() < deadline:
        if selector.select(timeout=0.5):
            chunk = os.read(proc.stdout.fileno(), 65536).decode(errors="replace")
            if not chunk:
                break
            seen += chunk
    selector.close()
    if marker not in seen:
        raise AssertionError(f"no {marker!r} within {timeout} s:\n{seen}")
    end = seen.index(marker) + len(marker)
    end = seen.find("\n", end) + 1 or len(seen)
    proc._pending = seen[end:]  # what came after the marker's line, for the next call
    return seen[:end]
