"""Check: every reference solution passes its own checks whatever secret key batch grading draws with.

Batch grading draws every check's arrays with a key that is new for every run (grader.checks.inputs), so
a check whose verdict on a correct answer depends on the arrays (a statistic counted on too few values,
a tolerance too tight for some draws) refuses the reference solution on some runs: `course grade` then
stops ("the reference solutions fail their own checks"). This runs each exercise's public and hidden
checks on its solution under N random keys and prints every failure with its key (hex), so that it can
be replayed (`drawn_with(bytes.fromhex(KEY))`).

Run: `python benchmarks/key_independence.py --keys 30` (`--exercise 09 --keys 60`); a few seconds per key
and exercise. Exercises 5 and 11 train, and are left out unless named.
"""

from __future__ import annotations

import argparse
import collections
import os
import secrets
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=30)
    parser.add_argument("--exercise", action="append", help="an exercise id (repeatable); default: all but 05, 11")
    args = parser.parse_args()

    from grader.checks.inputs import drawn_with
    from grader.manifest import load_course
    from grader.runner import run_checks

    course = load_course()
    ids = args.exercise or [e.id for e in course.exercises if e.id not in ("05", "11")]
    failed = 0
    for exercise_id in ids:
        exercise = course.find(exercise_id)
        counts: collections.Counter = collections.Counter()
        for _ in range(args.keys):
            key = secrets.token_bytes(32)
            with drawn_with(key):
                result = run_checks(exercise, ROOT / "solutions" / exercise.filename, include_hidden=True)
            for check in result.checks:
                if check.outcome != "passed":
                    counts[check.name] += 1
                    print(f"{exercise_id} {key.hex()} {check.name}: {(check.message or '').splitlines()[0][:160]}")
        failed += sum(counts.values())
        print(f"exercise {exercise_id}: {args.keys} keys, {sum(counts.values())} failures {dict(counts)}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
