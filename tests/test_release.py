"""`course release`: the learner copy holds no solution or hidden-check text and passes its own tests."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from grader.batch.release import leaked_solution_text

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
    from grader.batch.release import hidden_check_names

    manifest = (release / "grader" / "course.toml").read_text()
    assert hidden_check_names() and not any(name in manifest for name in hidden_check_names())


def test_the_leak_detector_finds_planted_solution_text(release, root, tmp_path):
    planted = tmp_path / "planted"
    planted.mkdir()
    solution = (root / "solutions" / "02_dense.py").read_text()
    block = solution.split("### BEGIN SOLUTION")[2].split("### END SOLUTION")[0]
    (planted / "notes.md").write_text("my notes\n" + block)
    assert leaked_solution_text(planted) == ["notes.md: 02_dense.py block 2"]


def test_the_release_passes_its_own_test_suite(release):
    env = {**os.environ, "PYTHONPATH": str(release), "COURSE_DATASET": "mnist5k", "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                             "tests"], cwd=release, capture_output=True, text=True, env=env, timeout=900)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout


def test_the_release_installs_into_a_fresh_environment_and_grades(release, root, tmp_path):
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
    env = {**os.environ, "COURSE_DATASET": "mnist5k"}
    env.pop("PYTHONPATH", None)
    course = str(venv / "bin" / "course")
    stub = subprocess.run([course, "check", "1"], cwd=copy, capture_output=True, text=True, env=env, timeout=300)
    assert stub.returncode == 1 and "not implemented yet" in stub.stdout, stub.stdout + stub.stderr
    shutil.copy(root / "solutions" / "01_flatten.py", copy / "exercises" / "01_flatten.py")
    answer = subprocess.run([course, "check", "1"], cwd=copy, capture_output=True, text=True, env=env, timeout=300)
    assert answer.returncode == 0, answer.stdout + answer.stderr
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import grader; print(grader.__file__)"],
                           cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    assert where.stdout.strip().startswith(str(installed)), where.stdout
