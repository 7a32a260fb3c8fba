"""`course gradescope bundle`: the autograder zip, run the way Gradescope runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path


def test_bundle_runs_like_gradescope_and_writes_results_json(root, tmp_path):
    bundle = tmp_path / "autograder.zip"
    made = subprocess.run([sys.executable, "-m", "grader.cli", "gradescope", "bundle", str(bundle)],
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    autograder = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        assert {"setup.sh", "run_autograder", "source/pyproject.toml", "source/grader/course.toml"} <= set(names)
        assert any(n.startswith("source/grader/checks_hidden/test_") for n in names)
        assert archive.getinfo("run_autograder").external_attr >> 16 & 0o111
        archive.extractall(autograder)
    (autograder / "run_autograder").chmod(0o755)
    submission = autograder / "submission"
    submission.mkdir()
    shutil.copy(root / "solutions" / "04_sequential.py", submission / "04_sequential.py")
    shutil.copy(root / "exercises" / "01_flatten.py", submission / "01_flatten.py")
    env = {**os.environ, "AUTOGRADER_ROOT": str(autograder), "COURSE_DATASET": "mnist5k",
           "COURSE_BIN": str(Path(sys.executable).parent / "course")}
    run = subprocess.run(["bash", str(autograder / "run_autograder")], env=env, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr
    results = json.loads((autograder / "results" / "results.json").read_text())
    assert results["score"] == 12  # exercise 4 complete; exercise 1 a stub; the rest not submitted
    by_name = {t["name"]: t for t in results["tests"]}
    assert by_name["Exercise 4 — layer types"]["status"] == "passed"
    assert by_name["Exercise 1 — flat length is product of dimensions"]["status"] == "failed"
    assert "not implemented yet" in by_name["Exercise 1 — flat length is product of dimensions"]["output"]
    assert all(t["max_score"] > 0 for t in results["tests"])
    assert any(t["visibility"] == "after_published" and t["output"].startswith("hidden check") for t in results["tests"])
