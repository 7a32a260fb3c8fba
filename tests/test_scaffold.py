"""`course new-exercise NN slug` scaffolds every file a new exercise touches, consistently: the stub
is the one its solution generates, the solution passes its checks and the stub fails them, the
lesson links the exercise page and is in the nav, and the suite's drift checks see the new exercise."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_check_inputs import check_modules, draws_around_the_generator

from grader.author.scaffold import ScaffoldError, new_exercise
from grader.manifest import load_course


@pytest.fixture
def course_copy(root: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "course"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("grader", "solutions", "exercises", "docs/lessons", "tests/variants"):
        shutil.copytree(root / folder, copy / folder, ignore=ignore)
    for name in ("mkdocs.yml", "pyproject.toml"):
        shutil.copy(root / name, copy / name)
    return copy


def course(copy: Path, *args: str) -> subprocess.CompletedProcess:
    """The `course` command of the copy (its own grader package first on the path)."""
    env = {**os.environ, "PYTHONPATH": str(copy), "COURSE_DATASET": "mnist5k"}
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], cwd=copy, env=env, capture_output=True,
                          text=True, timeout=300)


def test_a_scaffolded_exercise_is_seen_by_the_stub_check_the_site_rules_and_its_own_checks(course_copy):
    written = new_exercise(course_copy, 13, "double-it")

    exercise = load_course(course_copy / "grader" / "course.toml").find("13")
    assert (exercise.slug, exercise.title, exercise.lesson) == ("double-it", "Double it", "lessons/13-double-it.md")
    assert {p.relative_to(course_copy).as_posix() for p in written} >= {
        "grader/course.toml", "mkdocs.yml", "solutions/13_double_it.py", "exercises/13_double_it.py",
        "grader/checks_public/test_13_double_it.py", "grader/checks_hidden/test_13_double_it.py",
        "docs/lessons/13-double-it.md", "tests/variants/13/correct_reference.py",
        "tests/variants/13/wrong_returns_its_input.py"}
    assert "      - 13. Double it: lessons/13-double-it.md\n" in (course_copy / "mkdocs.yml").read_text()
    lesson = (course_copy / "docs" / exercise.lesson).read_text()
    assert "](../exercises/13-double-it.md)" in lesson  # the link the site's tests require, exactly once
    assert lesson.count("../exercises/") == 1
    scaffolded_checks = [p for p in check_modules(course_copy / "grader") if p.stem.startswith("test_13")]
    assert len(scaffolded_checks) == 2 and not any(draws_around_the_generator(p.read_text()) for p in scaffolded_checks)

    # `course stubs --check` agrees with the scaffolded stub, and sees it drift once the solution changes
    assert course(course_copy, "stubs", "--check").returncode == 0
    solution = course_copy / "solutions" / "13_double_it.py"
    solution.write_text(solution.read_text().replace("def double(x):", "def double(x, factor=2):"))
    drift = course(course_copy, "stubs", "--check")
    assert drift.returncode == 1 and "exercises/13_double_it.py" in drift.stderr

    # the solution passes every check, hidden ones too, and the stub fails every one with a message
    passed = course(course_copy, "check", "13", "--path", "solutions", "--hidden", "--json")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    [result] = json.loads(passed.stdout)
    assert result["points"] == result["max_points"] == 2
    failed = course(course_copy, "check", "13", "--path", "exercises", "--json")
    [stub] = json.loads(failed.stdout)
    assert failed.returncode == 1 and stub["points"] == 0
    assert all("NotImplementedError" not in c["message"] or "double" in c["message"] for c in stub["checks"])


def test_a_taken_number_or_a_bad_slug_writes_nothing(course_copy):
    before = {p: p.read_bytes() for p in course_copy.rglob("*") if p.is_file()}
    with pytest.raises(ScaffoldError, match="exercise 04 already exists"):
        new_exercise(course_copy, 4, "again")
    with pytest.raises(ScaffoldError, match="Received: slug='Bad Slug'"):
        new_exercise(course_copy, 13, "Bad Slug")
    assert {p: p.read_bytes() for p in course_copy.rglob("*") if p.is_file()} == before
