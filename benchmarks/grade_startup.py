"""Benchmark: what one `course grade` run costs before its first student (its fixed cost).

A class of ONE student holding the reference answer of exercise 1 is graded `--repeats` times with one
worker; each run is a fresh `course grade` process (the forkserver, the dataset, the fingerprints, the
reference run that discovers the checks, the gradebook), so the run's CPU time less one student's is the
start-up every gradebook pays, and that the test suite pays once per grading it starts. Reported: the
median wall time, the median CPU time of the whole process tree, and the grading process's own CPU.

`--checkout PATH` grades with another checkout's grader (its `grader/` imported from PATH, this
environment's packages), to compare two commits side by side in one run on one machine:

    python benchmarks/grade_startup.py --repeats 5 --checkout /path/to/older/clone
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Run in the grading process: grade, then print its own and its children's CPU time as the last line.
MEASURED = """
import atexit, json, resource, runpy, sys, time
started = time.perf_counter()
def report():
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"wall": time.perf_counter() - started, "own": own.ru_utime + own.ru_stime,
                      "children": children.ru_utime + children.ru_stime,
                      "imports": sorted(m for m in ("tensorflow", "sklearn") if m in sys.modules)}), file=sys.stderr)
atexit.register(report)
sys.argv = ["course", "grade", *sys.argv[1:]]
runpy.run_module("grader.cli", run_name="__main__")
"""


def one_run(checkout: Path, work: Path) -> dict:
    """Grade the one-student class once with `checkout`'s grader; its measurements."""
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "COURSE_DATASET": "mnist5k", "COURSE_TRAINING_CACHE": "off"}
    done = subprocess.run([sys.executable, "-c", MEASURED, str(work / "class"), "--out", str(out), "-e", "1",
                           "--workers", "1", "--json"], cwd=checkout, env=env, capture_output=True, text=True,
                          timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"course grade failed in {checkout}:\n{done.stderr[-2000:]}")
    measured = json.loads(done.stderr.strip().splitlines()[-1])
    [student] = json.loads((out / "grades.json").read_text())["students"]
    return {**measured, "cpu": measured["own"] + measured["children"], "points": student["total"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--checkout", type=Path, action="append", default=[],
                        help="another checkout to compare (its grader/ is imported from there); repeatable")
    args = parser.parse_args()
    checkouts = [ROOT, *[c.resolve() for c in args.checkout]]
    with tempfile.TemporaryDirectory(prefix="grade-startup-") as tmp:
        work = Path(tmp)
        (work / "class" / "alice").mkdir(parents=True)
        shutil.copy(ROOT / "solutions" / "01_flatten.py", work / "class" / "alice" / "01_flatten.py")
        runs: dict[Path, list[dict]] = {c: [] for c in checkouts}
        for _ in range(args.repeats):  # interleaved: a change in the machine's load hits every checkout alike
            for checkout in checkouts:
                runs[checkout].append(one_run(checkout, work))
    print(f"{'checkout':<40} {'runs':>4} {'wall s':>8} {'CPU s':>8} {'own CPU s':>10}  imports in the grading process")
    for checkout, measured in runs.items():
        median = {k: statistics.median(r[k] for r in measured) for k in ("wall", "cpu", "own")}
        imports = sorted({m for r in measured for m in r["imports"]}) or ["-"]
        assert all(r["points"] == 7 for r in measured), [r["points"] for r in measured]
        print(f"{str(checkout)[-40:]:<40} {len(measured):>4} {median['wall']:>8.2f} {median['cpu']:>8.2f} "
              f"{median['own']:>10.2f}  {', '.join(imports)}")


if __name__ == "__main__":
    main()
