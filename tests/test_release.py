"""`course release`: the learner copy holds no solution or hidden-check text, reads as the learner's
(its README, its commands), passes its own tests, and what it hands in is graded as `course check` says."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from grader.author.release import leaked_solution_text

pytestmark = pytest.mark.xdist_group("release")


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / "course"
    result = subprocess.run([sys.executable, "-m", "grader.cli", "release", str(out)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_no_solution_block_or_hidden_check_survives(release):
    assert leaked_solution_text(release) == []
    assert not (release / "solutions").exists()
    assert not (release / "tests" / "variants").exists() and not (release / "tests" / "faults").exists()
    from grader.author.release import hidden_check_names

    manifest = (release / "grader" / "course.toml").read_text()
    assert hidden_check_names() and not any(name in manifest for name in hidden_check_names())


# What a learner's README must not talk about: reference answers, the instructor's further checks,
# batch grading's internals, the instructor's tools and course authoring.
INSTRUCTOR_TERMS = ["solutions/", "reference solution", "BEGIN SOLUTION", "hidden test", "checks_hidden",
                    "nbgrader", "Gradescope", "sandbox", "forkserver", "probe", "scenario", "gradebook",
                    "Dask", "benchmark", "course grade", "course release", "course stubs", "course gradescope",
                    "Course authors", "Instructors:", "--hidden"]


def test_the_learner_readme_is_generated_for_learners_and_leaks_nothing_of_the_instructor_s(release, root, course):
    from grader.cli import instructor_command_names
    from grader.learner.cli import learner_commands

    readme = (release / "README.md").read_text()
    assert readme != (root / "README.md").read_text()
    assert [term for term in INSTRUCTOR_TERMS if term.lower() in readme.lower()] == []
    assert [f"course {name}" for name in instructor_command_names() if f"course {name}" in readme] == []
    from grader.author.release import hidden_check_names

    assert [name for name in hidden_check_names() if name in readme or name.removeprefix("test_") in readme] == []
    assert leaked_solution_text(release) == []
    assert readme.startswith(f"# {course.title}\n")
    for exercise in course.exercises:  # from the manifest, with the lesson's title from its page
        lesson_heading = (root / "docs" / exercise.lesson).read_text().splitlines()[0].removeprefix("# ")
        assert f"| {exercise.number} | {exercise.title} | [{lesson_heading}](docs/{exercise.lesson}) |" in readme
    for command in learner_commands():  # from the CLI's own definitions
        assert f"| `course {command.name}` | {command.summary} |" in readme
    for target in ("make demo", "make test", "course submit --student", "submission.json", "claim"):
        assert target in readme


def test_the_instructor_s_repository_keeps_every_command(root):
    from grader.cli import app, instructor_command_names

    assert instructor_command_names() == {"grade", "release", "gradescope", "nbgrader", "stubs", "report", "similarity", "new-exercise"}
    registered = {c.name for c in app.registered_commands} | {g.name for g in app.registered_groups}
    assert registered == instructor_command_names() | {"list", "check", "hint", "watch", "reset", "notebooks", "submit"}


def test_the_leak_detector_finds_planted_solution_text(release, root, tmp_path):
    planted = tmp_path / "planted"
    planted.mkdir()
    solution = (root / "solutions" / "02_dense.py").read_text()
    block = solution.split("### BEGIN SOLUTION")[2].split("### END SOLUTION")[0]
    (planted / "notes.md").write_text("my notes\n" + block)
    assert leaked_solution_text(planted) == ["notes.md: 02_dense.py block 2"]


def test_the_copy_s_makefile_offers_the_learner_s_targets_and_each_names_what_exists(release):
    """`make demo` and `make test` (and serve/site/clean), nothing that needs the instructor's files:
    every path a recipe names exists in the copy."""
    import re

    makefile = (release / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z]+):", makefile, re.M))
    assert {"demo", "test", "serve", "site", "install", "clean"} <= targets
    assert not targets & {"bench", "lint", "sandbox-tools"}, targets
    assert "bubblewrap" not in makefile and "solutions" not in makefile and "benchmarks" not in makefile
    import tomllib  # it installs the learner's packages, none of the instructor's tools

    assert "-e '.[learner]'" in makefile and "[dev]" not in makefile
    extras = tomllib.loads((release / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    learner = " ".join(extras["learner"])
    assert not [name for name in ("instructor", "scale", "nbgrader", "copydetect", "dask") if name in learner]
    dry = subprocess.run(["make", "-n", "demo", "test"], cwd=release, capture_output=True, text=True, timeout=60)
    assert dry.returncode == 0, dry.stderr


def test_the_release_passes_its_own_test_suite(release, root):
    """The copy's own suite, its site built with the drawings and measured figures this checkout's site
    build made (keyed by the page text, the drawing code and Keras' version: the copy's are the same)."""
    env = {**os.environ, "PYTHONPATH": str(release), "COURSE_DATASET": "mnist5k", "NO_MKDOCS_2_WARNING": "1",
           "COURSE_DOCS_CACHE": str(root / ".cache" / "docs")}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                             "tests"], cwd=release, capture_output=True, text=True, env=env, timeout=900)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout


def test_the_release_installs_into_a_fresh_environment_and_grades(release, root, course, tmp_path):
    """A new virtual environment, the release installed into it with pip (not editable), and the
    installed `course` command grading a stub and an answer. Third-party packages come from this
    environment (a .pth line), so that the test needs no network."""
    import shutil
    import site

    copy = tmp_path / "course"
    shutil.copytree(release, copy)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    packages = next((venv / "lib").glob("python3*/site-packages"))
    (packages / "third-party.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    install = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps",
                              "--no-build-isolation", "--no-index", str(copy)], capture_output=True, text=True,
                             timeout=300)
    assert install.returncode == 0, install.stdout + install.stderr
    installed = packages / "grader"
    assert (installed / "course.toml").is_file() and (installed / "checks_public" / "test_04_sequential.py").is_file()
    assert not list((installed / "checks_hidden").glob("test_*.py"))
    env = {**os.environ, "COURSE_DATASET": "mnist5k", "COLUMNS": "160", "NO_COLOR": "1"}
    env.pop("PYTHONPATH", None)
    course_command = str(venv / "bin" / "course")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([course_command, *args], cwd=copy, capture_output=True, text=True, env=env, timeout=300)

    for extra in copy.glob("exercises/*.py"):  # two exercises keep the test short
        if not extra.name.startswith(("01_", "04_")):
            extra.unlink()
    stub = run("check", "1")
    assert stub.returncode == 1 and "not implemented yet" in stub.stdout, stub.stdout + stub.stderr
    assert run("submit", "--student", "bob").returncode == 2  # nothing changed from the stubs yet
    for name in ("01_flatten.py", "04_sequential.py"):
        shutil.copy(root / "solutions" / name, copy / "exercises" / name)
    answer = run("check", "1")
    assert answer.returncode == 0, answer.stdout + answer.stderr
    assert "passed" in run("list").stdout and run("hint", "4").returncode == 0
    assert run("grade", "x").stderr.strip().startswith("`course grade` belongs to the instructor's copy")
    submitted = run("submit", "--student", "bob")
    assert submitted.returncode == 0 and "fails locally" not in submitted.stderr, submitted.stdout + submitted.stderr
    assert "have no file in exercises/; they are not handed in" in submitted.stderr  # the ten left out above
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import grader; print(grader.__file__)"],
                           cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    assert where.stdout.strip().startswith(str(installed)), where.stdout
    assert (installed / "pristine_stubs" / "04_sequential.py").is_file()  # `course reset` needs them installed

    # the instructor grades the handed-in archive as one student: the points `course check` gives
    out = tmp_path / "gradebook"
    graded = subprocess.run([sys.executable, "-m", "grader.cli", "grade", str(copy / "bob.zip"), "--out", str(out),
                             "-e", "1", "-e", "4", "--workers", "1", "--json"],
                            cwd=root, capture_output=True, text=True, timeout=600)
    assert graded.returncode == 0, graded.stdout + graded.stderr
    checked = subprocess.run([sys.executable, "-m", "grader.cli", "check", "1", "4", "--hidden", "--json", "--path",
                              str(copy / "exercises")], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    [student] = json.loads((out / "grades.json").read_text())["students"]
    assert student["student"] == "bob"
    full_marks = {e.id: e.max_points for e in (course.find("1"), course.find("4"))}
    assert {i: e["points"] for i, e in student["exercises"].items()} == \
        {r["exercise"]: r["points"] for r in json.loads(checked.stdout)} == full_marks
