"""Benchmark: `course grade` against nbgrader in its best configuration, side by side in one run.

nbgrader's best configuration for a course is one notebook per student holding every graded exercise
(one kernel start and one TensorFlow import per student, not per exercise). This script builds that
notebook from `course nbgrader export` (the exercises' cells in order: each answer cell followed by its
graded check cells, grade ids prefixed with the exercise id so that they stay unique), fills it with
each student's answers, and runs `nbgrader autograde` on the class. `course grade` grades the same
answers as `.py` files with one worker (per core: the same single core nbgrader uses), and again with
one worker per core. The checks' training-result cache (grader.checks.training_cache) is off for
nbgrader and for one `course grade` run — nothing can be reused, the cost of an all-distinct class —
and starts empty for the others, so that only answers shared between students of the run are reused
(the number of trainings reused is reported).

The class is realistic and varied: each student's answer to each exercise is drawn (seeded) from the
reference solution, the independently written correct and wrong variants under tests/variants/, and
the untouched stub — never one file repeated for the whole class.

Figures per exercise set (`1-5`, `1-11`), per repeat, as seconds per student; the median over repeats
of the ratio nbgrader ÷ `course grade` (one worker) taken within each repeat (the machine may be
shared, so only ratios measured in the same minutes are compared). Start-up is included on both
sides. Run: `python benchmarks/nbgrader_best.py --students 6 --repeats 2` (`--sets 1-5 1-11`).

Per core means CPU time: user + system seconds of every process the command started (nbgrader's
kernels, `course grade`'s forkserver, workers and sandboxed submissions), read with
`getrusage(RUSAGE_CHILDREN)` around the command. This script makes itself the processes' subreaper, so
that a descendant its parent did not wait for (a forkserver outliving `course grade`) is reaped here and
counted too. CPU time is what a shared machine's load moves least; wall seconds are reported beside it.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETS = {"1-5": ["01", "02", "03", "04", "05"], "1-11": [f"{n:02d}" for n in range(1, 12)]}
ASSIGNMENT = "bench"
CACHE_ENV = "COURSE_TRAINING_CACHE"
REUSED = "reused from an identical earlier training run"  # the note of grader.checks.training
NOTEBOOK = "course.ipynb"


PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> None:
    """Orphaned descendants of the commands run here become this process's children (Linux)."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def timed(args: list[str], **kwargs) -> tuple[float, float]:
    """Run `args` to completion; (wall seconds, CPU seconds of it and every descendant)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, **kwargs)
    wall = time.perf_counter() - started
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # reap the orphans that were re-parented here
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            time.sleep(0.05)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def answer_pool(exercise_id: str) -> tuple[list[Path], list[Path], Path]:
    """(right answers, wrong answers, stub) of one exercise."""
    from grader.manifest import load_course

    exercise = load_course().find(exercise_id)
    variants = ROOT / "tests" / "variants" / exercise_id
    right = [ROOT / "solutions" / exercise.filename, *sorted(variants.glob("correct_*.py"))]
    return right, sorted(variants.glob("wrong_*.py")), ROOT / "exercises" / exercise.filename


def make_class(target: Path, students: int, exercise_ids: list[str], seed: int = 12) -> Path:
    """`students` folders with one answer per exercise: 60 % right, 30 % wrong, 10 % untouched stubs."""
    from grader.manifest import load_course

    course = load_course()
    rng = random.Random(seed)
    for i in range(students):
        folder = target / f"student{i:03d}"
        folder.mkdir(parents=True)
        for exercise_id in exercise_ids:
            right, wrong, stub = answer_pool(exercise_id)
            draw = rng.random()
            source = rng.choice(right) if draw < 0.6 else rng.choice(wrong) if draw < 0.9 else stub
            shutil.copy(source, folder / course.find(exercise_id).filename)
    return target


def merged_notebook(course_dir: Path, exercise_ids: list[str], env: dict) -> None:
    """source/<ASSIGNMENT>/<NOTEBOOK>: the exported notebooks of `exercise_ids` as one, ids kept unique."""
    import nbformat

    subprocess.run([sys.executable, "-m", "grader.cli", "nbgrader", "export", str(course_dir), "--assignment",
                    ASSIGNMENT, "--exercises", ",".join(exercise_ids)], check=True, capture_output=True, env=env)
    source = course_dir / "source" / ASSIGNMENT
    parts = sorted(source.glob("*.ipynb"))
    merged = nbformat.read(parts[0], as_version=4)
    merged.cells = []
    for number, part in enumerate(parts):
        for cell in nbformat.read(part, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade_id") == "setup" and number:
                continue  # one import of the grader per notebook
            meta["grade_id"] = f"{part.stem[:2]}_{meta['grade_id']}"
            cell.id = meta["grade_id"].replace("_", "-")[:64]
            merged.cells.append(cell)
        part.unlink()
    nbformat.validate(merged)
    nbformat.write(merged, source / NOTEBOOK)


def time_nbgrader(submissions: Path, work: Path, exercise_ids: list[str], env: dict) -> tuple[float, float]:
    """(wall, CPU) seconds of `nbgrader autograde` over the class (notebooks written beforehand)."""
    import nbformat

    from grader.manifest import load_course

    course = load_course()
    nbgrader = Path(sys.executable).parent / "nbgrader"
    merged_notebook(work, exercise_ids, env)
    subprocess.run([str(nbgrader), "generate_assignment", ASSIGNMENT, "--force"], cwd=work, check=True,
                   capture_output=True, env=env)
    release = nbformat.read(work / "release" / ASSIGNMENT / NOTEBOOK, as_version=4)
    for student in sorted(p for p in submissions.iterdir() if p.is_dir()):
        notebook = nbformat.from_dict(json.loads(json.dumps(release)))
        for cell in notebook.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("solution"):
                exercise = course.find(meta["grade_id"][:2])
                cell.source = (student / exercise.filename).read_text(encoding="utf-8")
        target = work / "submitted" / student.name / ASSIGNMENT / NOTEBOOK
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)
    return timed([str(nbgrader), "autograde", ASSIGNMENT, "--force"], cwd=work, env=env)


def time_course_grade(submissions: Path, out: Path, exercise_ids: list[str], workers: int, env: dict,
                      cache: str) -> dict:
    """Wall and CPU seconds of `course grade` over the class, and what grades.json says about the run. `cache`:
    "off", or "fresh" (an empty training cache: reuse only between students of this run)."""
    shutil.rmtree(out, ignore_errors=True)
    env = {**env, CACHE_ENV: "off" if cache == "off" else str(out.parent / f"{out.name}-cache")}
    shutil.rmtree(out.parent / f"{out.name}-cache", ignore_errors=True)
    args = [sys.executable, "-m", "grader.cli", "grade", str(submissions), "--out", str(out), "--json",
            "--workers", str(workers), *sum((["-e", e] for e in exercise_ids), [])]
    wall, cpu = timed(args, env=env)
    records = json.loads((out / "grades.json").read_text())["students"]
    compute = [sum(e.get("check_seconds") or 0.0 for e in r["exercises"].values()) for r in records]
    overhead = [r["seconds"] - c for r, c in zip(records, compute, strict=True)]
    notes = [n for r in records for e in r["exercises"].values() for c in e.get("checks", []) for n in c.get("notes", [])]
    return {"wall_s": wall, "cpu_s": cpu, "median_overhead_s": statistics.median(overhead),
            "median_check_compute_s": statistics.median(compute),
            "trainings": sum("held-out accuracy" in n for n in notes), "reused": sum(REUSED in n for n in notes)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    become_subreaper()
    cores = os.cpu_count() or 1
    env = {**os.environ, "COURSE_DATASET": os.environ.get("COURSE_DATASET", "mnist5k"),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    figures: dict = {"students": args.students, "cores": cores, "dataset": env["COURSE_DATASET"], "sets": {}}
    with tempfile.TemporaryDirectory(prefix="course-bench-") as tmp:
        for name in args.sets:
            ids = SETS[name]
            submissions = make_class(Path(tmp) / name / "class", args.students, ids)
            runs = []
            for repeat in range(args.repeats):
                work = Path(tmp) / name / f"nbgrader-{repeat}"
                nbgrader_wall, nbgrader_cpu = time_nbgrader(submissions, work, ids, {**env, CACHE_ENV: "off"})
                base = Path(tmp) / name
                off = time_course_grade(submissions, base / "out-1-off", ids, 1, env, "off")
                one = time_course_grade(submissions, base / "out-1", ids, 1, env, "fresh")
                every = time_course_grade(submissions, base / "out-n", ids, cores, env, "fresh")
                per = args.students
                run = {"nbgrader_cpu_s_per_student": nbgrader_cpu / per,
                       "course_1_worker_no_cache_cpu_s_per_student": off["cpu_s"] / per,
                       "course_1_worker_cpu_s_per_student": one["cpu_s"] / per,
                       "cpu_ratio_1_worker_no_cache": nbgrader_cpu / off["cpu_s"],
                       "cpu_ratio_1_worker": nbgrader_cpu / one["cpu_s"],
                       "nbgrader_wall_s_per_student": nbgrader_wall / per,
                       "course_1_worker_no_cache_wall_s_per_student": off["wall_s"] / per,
                       "course_1_worker_wall_s_per_student": one["wall_s"] / per,
                       f"course_{cores}_workers_wall_s_per_student": every["wall_s"] / per,
                       f"wall_ratio_{cores}_workers": nbgrader_wall / every["wall_s"],
                       "median_overhead_s": one["median_overhead_s"],
                       "median_check_compute_s_no_cache": off["median_check_compute_s"],
                       "median_check_compute_s": one["median_check_compute_s"],
                       "trainings": one["trainings"], "trainings_reused": one["reused"]}
                runs.append({k: round(v, 3) for k, v in run.items()})
                print(json.dumps({"set": name, "repeat": repeat, **runs[-1]}), file=sys.stderr, flush=True)
            figures["sets"][name] = {"runs": runs, "median": {k: round(statistics.median(r[k] for r in runs), 3)
                                                              for k in runs[0]}}
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
