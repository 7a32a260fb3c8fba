"""Benchmark: batch grading overhead and speed-up, measured side by side in one run.

A class of 30 generated submissions of exercises 1–5 (reference solutions, stubs and the correct and
wrong variants from tests/variants, cycled) is graded three ways on the same machine:

1. `course grade` (forkserver with TensorFlow preloaded, sandboxed probes, trusted verification);
2. one fresh `pytest` process per submission running the same public and hidden checks (what a
   plain pytest-based autograder does) — the baseline until 3. is available;
3. `nbgrader autograde` on the same submissions as notebooks (`course nbgrader export`), if nbgrader
   and the export are installed.

Reported: the median per-submission overhead of `course grade` beyond the exercises' own compute
(the time its checks took inside verification), and the ratios of the baselines' wall time to
`course grade`'s. Run: `make bench` (or `python benchmarks/batch_overhead.py --students 30`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ["01", "02", "03", "04", "05"]


def make_class(target: Path, students: int) -> Path:
    """`students` folders, each with one answer per exercise, cycling through the known answers."""
    from grader.manifest import load_course

    course = load_course()
    pools = {}
    for exercise_id in EXERCISES:
        exercise = course.find(exercise_id)
        pools[exercise_id] = [ROOT / "solutions" / exercise.filename, ROOT / "exercises" / exercise.filename,
                              *sorted((ROOT / "tests" / "variants" / exercise_id).glob("*.py"))]
    for i in range(students):
        folder = target / f"student{i:03d}"
        folder.mkdir(parents=True)
        for exercise_id, pool in pools.items():
            shutil.copy(pool[i % len(pool)], folder / course.find(exercise_id).filename)
    return target


def time_course_grade(submissions: Path, out: Path, workers: int) -> tuple[float, list[float]]:
    env = {**os.environ, "COURSE_DATASET": "mnist5k"}
    args = [sys.executable, "-m", "grader.cli", "grade", str(submissions), "--out", str(out), "--json",
            "--workers", str(workers), *sum((["-e", e] for e in EXERCISES), [])]
    started = time.perf_counter()
    subprocess.run(args, check=True, env=env, capture_output=True)
    wall = time.perf_counter() - started
    overheads = []
    for record in json.loads((out / "grades.json").read_text())["students"]:
        compute = sum(e.get("check_seconds") or 0.0 for e in record["exercises"].values())
        overheads.append(record["seconds"] - compute)
    return wall, overheads


def time_pytest_per_submission(submissions: Path, workers: int) -> float:
    """One fresh pytest process per submission (public + hidden checks), `workers` at a time."""
    from grader.manifest import load_course

    course = load_course()
    files = []
    for exercise_id in EXERCISES:
        exercise = course.find(exercise_id)
        files += [str(exercise.public_checks), str(exercise.hidden_checks)]
    env = {**os.environ, "COURSE_DATASET": "mnist5k"}
    started = time.perf_counter()
    pending = [p for p in sorted(submissions.iterdir()) if p.is_dir()]
    running: list[subprocess.Popen] = []
    while pending or running:
        while pending and len(running) < workers:
            folder = pending.pop(0)
            running.append(subprocess.Popen([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                                             "--submission", str(folder), *files], env=env, cwd=ROOT,
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        running[0].wait()
        running = [p for p in running if p.poll() is None]
    return time.perf_counter() - started


def time_nbgrader(submissions: Path, work: Path, sample: int) -> float | None:
    """Seconds per student of `nbgrader autograde` on the same submissions as notebooks.

    nbgrader grades notebook after notebook in one process, so its time is linear in the class size;
    `sample` students (the first ones, which cycle through every kind of answer) are graded and the
    time per student is reported. None if nbgrader is not installed.
    """
    import shutil as _shutil

    nbgrader = Path(sys.executable).parent / "nbgrader"
    if not nbgrader.exists():
        return None
    import nbformat

    from grader.manifest import load_course

    course = load_course()
    env = {**os.environ, "COURSE_DATASET": "mnist5k", "PATH": f"{nbgrader.parent}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run([sys.executable, "-m", "grader.cli", "nbgrader", "export", str(work), "--assignment", "bench",
                    "--exercises", ",".join(EXERCISES)], check=True, capture_output=True, env=env)
    subprocess.run([str(nbgrader), "generate_assignment", "bench", "--force"], cwd=work, check=True,
                   capture_output=True, env=env)
    students = sorted(p for p in submissions.iterdir() if p.is_dir())[:sample]
    for student in students:
        for exercise_id in EXERCISES:
            exercise = course.find(exercise_id)
            name = exercise.filename.replace(".py", ".ipynb")
            notebook = nbformat.read(work / "release" / "bench" / name, as_version=4)
            answer = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("solution"))
            answer.source = (student / exercise.filename).read_text()
            target = work / "submitted" / student.name / "bench" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(notebook, target)
    started = time.perf_counter()
    subprocess.run([str(nbgrader), "autograde", "bench", "--force"], cwd=work, check=True, capture_output=True,
                   env=env)
    elapsed = time.perf_counter() - started
    _shutil.rmtree(work / "autograded", ignore_errors=True)
    return elapsed / len(students)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--nbgrader-sample", type=int, default=6,
                        help="students graded by nbgrader (its time is linear in the class size)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    os.environ["COURSE_DATASET"] = "mnist5k"
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="course-bench-") as tmp:
        work = Path(tmp)
        submissions = make_class(work / "class", args.students)
        wall, overheads = time_course_grade(submissions, work / "out", args.workers)
        baseline = time_pytest_per_submission(submissions, args.workers)
        nbgrader_per_student = time_nbgrader(submissions, work / "nbgrader", args.nbgrader_sample)
    figures = {
        "students": args.students, "workers": args.workers,
        "median_overhead_s": round(statistics.median(overheads), 3),
        "ratio_pytest_per_submission_to_course_grade": round(baseline / wall, 2),
        "ratio_nbgrader_to_course_grade": (round(nbgrader_per_student * args.students / wall, 2)
                                           if nbgrader_per_student else None),
        "nbgrader_students_sampled": args.nbgrader_sample if nbgrader_per_student else 0,
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
