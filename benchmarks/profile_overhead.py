"""Profile: where `course grade`'s CPU time goes per submission, process by process and message by message.

Grades a small class (the class of benchmarks/nbgrader_best.py: seeded, realistic and varied answers) in
this process with one worker and the training cache off, and charges CPU time (user + system, read from
/proc) to what caused it:

- each dialogue with a forked process (grader.grade.pool.run_dialogue): the student's confined process
  (`probe_submission`: per exercise part, loading the file, answering the probes, saving the commitments
  at the file's close), the challenger (`challenge_commitments`: per exercise part), the trusted verifier
  (`verify_student`: per exercise, the checks themselves and rebuilding the answers) — the CPU of the
  process and everything it forked, sampled after each of its replies;
- the forkserver's own time (the fork of a process with TensorFlow loaded is charged to it);
- this process (the grader's side: decoys, unpacking replies, applying the challenges, records).

Then it runs every check of the same answers in one process, as nbgrader's notebook does (load the answer,
run the public and hidden checks), and reports the difference per student: the per-submission overhead.
With one worker, one dialogue runs at a time, so the forkserver's descendants are that dialogue's tree.
Figures are medians over the students' grading (start-up — forkserver, dataset, discovery — excluded).
Run: `python benchmarks/profile_overhead.py --students 4` (`--exercises 01 … 11`, `--json FILE`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_of(pid: int, with_children: bool = True) -> float:
    """utime + stime (+ cutime + cstime: reaped children) of `pid` in seconds; 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + ((int(fields[13]) + int(fields[14])) if with_children else 0)
    return ticks / TICKS


def _tree_cpu(root: int) -> float:
    """CPU of every live descendant of `root` (not `root` itself), reaped grandchildren included."""
    from grader.grade.pool import child_pids

    total, todo = 0.0, list(child_pids(root))
    while todo:
        pid = todo.pop()
        total += _cpu_of(pid)
        todo += child_pids(pid)
    return total


class Ledger:
    """CPU seconds charged to (student, what) pairs."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.student = "start-up"

    def add(self, what: str, seconds: float) -> None:
        self.rows[self.student][what] += seconds


def _label(message: bytes) -> str:
    from grader.grade.worker import AskProbe, OpenFile

    try:
        decoded = pickle.loads(message)
    except Exception:  # noqa: BLE001
        return "message"
    if isinstance(decoded, OpenFile):
        return f"{decoded.exercise_id} {decoded.part}: load the file"
    if isinstance(decoded, AskProbe):
        return "probe"
    if isinstance(decoded, tuple):
        return "challenge part"
    return "close (save commitments)"


def instrument(ledger: Ledger) -> None:
    """Wrap run_dialogue so that every reply charges the dialogue's process tree's CPU since the last one."""
    import multiprocessing.forkserver

    import grader.grade.pool as pool
    import grader.grade.verify as verify

    original = pool.run_dialogue

    def server() -> int:
        return multiprocessing.forkserver._forkserver._forkserver_pid

    def run_dialogue(target, job, talk, uid=None, tree_limits=None):
        kind = target.__name__
        state = {"seen": 0.0, "label": "start", "exercise": ""}

        def charge(label: str) -> None:
            now = _tree_cpu(server())
            ledger.add(f"{kind}: {label}", now - state["seen"])
            state["seen"] = now

        class Watched(pool.Channel):
            def ask(self, message: bytes, wait_s: float) -> bytes:
                label = _label(message)
                if kind == "probe_submission" and label.endswith("load the file"):
                    state["exercise"] = label.split(":")[0]
                reply = super().ask(message, wait_s)
                if kind == "probe_submission" and label == "probe":
                    label = f"{state['exercise']}: probes"
                elif kind == "probe_submission" and label.startswith("close"):
                    label = f"{state['exercise']}: {label}"
                charge(label if state["seen"] else f"start, confine and {label}")
                return reply

            def receive(self, wait_s: float) -> bytes:
                reply = super().receive(wait_s)
                if kind == "verify_student":
                    try:
                        charge(f"{json.loads(reply)['exercise']}" + ("" if state["seen"] else " (and start)"))
                    except ValueError:
                        charge("reply")
                return reply

        def watched_talk(channel):
            channel.__class__ = Watched
            return talk(channel)

        before_server = _cpu_of(server(), with_children=False) if pool._context else 0.0
        try:
            return original(target, job, watched_talk, uid, tree_limits)
        finally:
            time.sleep(0.05)
            if before_server:
                ledger.add("forkserver (forks)", _cpu_of(server(), with_children=False) - before_server)

    pool.run_dialogue = run_dialogue
    verify.run_dialogue = run_dialogue


def grade_with_ledger(class_dir: Path, out: Path, exercise_ids: list[str], ledger: Ledger) -> list[dict]:
    import grader.grade.student as student_module
    from grader.grade.grade import GradeOptions, grade_class

    original = student_module.grade_student

    def grade_student(student, setup, slot):
        ledger.student = student.student
        began = time.process_time()  # this process's threads: with one worker, this student's alone
        try:
            return original(student, setup, slot)
        finally:
            ledger.add("grader process (this side)", time.process_time() - began)

    student_module.grade_student = grade_student
    import grader.grade.grade as grade_module

    grade_module.grade_student = grade_student
    return grade_class([class_dir], GradeOptions(out=out, workers=1, exercises=exercise_ids))


def checks_in_one_process(class_dir: Path, exercise_ids: list[str]) -> dict[str, dict[str, float]]:
    """CPU seconds of every check of each student's answers in this process (as nbgrader's notebook runs them)."""
    from grader.manifest import load_course
    from grader.runner import run_checks

    course = load_course()
    costs: dict[str, dict[str, float]] = {}
    for folder in sorted(p for p in class_dir.iterdir() if p.is_dir()):
        costs[folder.name] = {}
        for exercise_id in exercise_ids:
            exercise = course.find(exercise_id)
            began = time.process_time()
            run_checks(exercise, folder / exercise.filename, include_hidden=True)
            costs[folder.name][exercise_id] = time.process_time() - began
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=4)
    parser.add_argument("--exercises", nargs="+", default=[f"{n:02d}" for n in range(1, 12)])
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--json", type=Path, help="also write the ledger here")
    parser.add_argument("--keep", type=Path, help="copy grades.json here (with a fixed split key: comparable runs)")
    args = parser.parse_args()
    os.environ.setdefault("COURSE_DATASET", "mnist5k")
    os.environ["COURSE_TRAINING_CACHE"] = "off"
    os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from nbgrader_best import make_class

    load_before = os.getloadavg()
    ledger = Ledger()
    instrument(ledger)
    with tempfile.TemporaryDirectory(prefix="course-overhead-") as tmp:
        class_dir = make_class(Path(tmp) / "class", args.students, args.exercises, seed=args.seed)
        key = Path(tmp) / "out" / ".work" / "split-key"  # one held-out split for every run of this script
        key.parent.mkdir(parents=True)
        key.write_bytes(hashlib.sha256(b"benchmarks/profile_overhead.py").digest())
        grade_with_ledger(class_dir, Path(tmp) / "out", args.exercises, ledger)
        if args.keep:
            args.keep.write_bytes((Path(tmp) / "out" / "grades.json").read_bytes())
        import grader  # noqa: F401 - quiets TensorFlow
        from grader.datasets import load_dataset

        load_dataset()
        checks = checks_in_one_process(class_dir, args.exercises)
    students = sorted(checks)
    rows = sorted({what for s in students for what in ledger.rows[s]})
    table = {what: [ledger.rows[s].get(what, 0.0) for s in students] for what in rows}
    total = [sum(ledger.rows[s].values()) for s in students]
    compute = [sum(checks[s].values()) for s in students]
    print(f"load average before/after: {load_before} / {os.getloadavg()}")
    print(f"| CPU seconds per student ({', '.join(students)}) | median | each |")
    print("|---|---|---|")
    for what in rows:
        print(f"| {what} | {statistics.median(table[what]):.3f} | {' '.join(f'{v:.2f}' for v in table[what])} |")
    print(f"| **all of `course grade`'s per-student CPU** | {statistics.median(total):.2f} | "
          f"{' '.join(f'{v:.2f}' for v in total)} |")
    print(f"| the same checks in one process | {statistics.median(compute):.2f} | "
          f"{' '.join(f'{v:.2f}' for v in compute)} |")
    overhead = [t - c for t, c in zip(total, compute, strict=True)]
    print(f"| **overhead** | {statistics.median(overhead):.2f} | {' '.join(f'{v:.2f}' for v in overhead)} |")
    if args.json:
        args.json.write_text(json.dumps({"students": students, "rows": table, "checks": checks,
                                         "load": [load_before, os.getloadavg()]}, indent=1))


if __name__ == "__main__":
    main()
