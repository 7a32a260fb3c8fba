"""Plain pytest works for learners and instructors: the plugin is registered through `pytest11`."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def _pytest(root, *args, cwd=None):
    env = {**os.environ, "COURSE_DATASET": "mnist5k"}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
                          cwd=cwd or root, capture_output=True, text=True, env=env, timeout=300)


def test_plain_pytest_runs_the_public_checks_on_exercises(root):
    result = _pytest(root, "grader/checks_public/test_04_sequential.py", "-q")
    assert result.returncode == 1
    assert "not implemented yet" in result.stdout
    assert "Traceback" not in result.stdout
    assert "5 failed" in result.stdout or "5 error" in result.stdout


def test_submission_option_and_results_file(root, tmp_path):
    results = tmp_path / "results.json"
    result = _pytest(root, "grader/checks_public/test_04_sequential.py", "grader/checks_hidden/test_04_sequential.py",
                     "--submission", "solutions", "--course-results", str(results), "-q")
    assert result.returncode == 0, result.stdout
    checks = json.loads(results.read_text())["checks"]
    assert {c["outcome"] for c in checks} == {"passed"}
    assert sum(c["points"] for c in checks) == 12
    assert [c["hidden"] for c in checks].count(True) == 1


def test_check_without_points_in_the_manifest_is_a_collection_error(root, tmp_path):
    check = tmp_path / "test_extra.py"
    check.write_text("import pytest\npytestmark = pytest.mark.exercise('04')\n\ndef test_unlisted(): pass\n")
    result = _pytest(root, str(check), "-q", cwd=tmp_path)
    assert result.returncode != 0
    assert "has no points in grader/course.toml" in result.stdout + result.stderr


def test_a_check_session_loads_the_course_plugin_and_no_other_installed_one(root, monkeypatch):
    """`course check` (and every verification in batch grading) runs its pytest session with this
    project's plugin alone: the installed plugins (xdist, random-order, …) cost every re-check time and
    have nothing to do there. The caller's PYTEST_ADDOPTS and PYTEST_PLUGINS (a shell running a test
    suite) do not reach it, and are the caller's again after it."""
    from importlib.metadata import entry_points

    import pytest

    import grader.pytest_plugin
    from grader.manifest import load_course
    from grader.runner import run_checks

    registered: set[str] = set()
    course_plugin: list[bool] = []

    class Observer:
        def pytest_configure(self, config):
            registered.update(name for name, _ in config.pluginmanager.list_name_plugin())
            course_plugin.append(config.pluginmanager.is_registered(grader.pytest_plugin))

    real_main = pytest.main
    monkeypatch.setattr(pytest, "main", lambda args, plugins=(): real_main(args, plugins=[*plugins, Observer()]))
    monkeypatch.setenv("PYTEST_ADDOPTS", "-n 2 --random-order")
    monkeypatch.setenv("PYTEST_PLUGINS", "xdist.plugin")
    exercise = load_course().find("04")
    assert run_checks(exercise, root / "solutions" / exercise.filename).passed
    assert os.environ["PYTEST_ADDOPTS"] == "-n 2 --random-order" and os.environ["PYTEST_PLUGINS"] == "xdist.plugin"
    others = {ep.name for ep in entry_points(group="pytest11")} - {"course"}
    assert others, "the test environment installs other pytest plugins (pytest-xdist)"
    assert not registered & others, registered & others
    assert course_plugin == [True]
