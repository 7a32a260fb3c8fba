"""Profile: where the checks' own compute goes, for the answers of a class, in one process.

Runs every check (public and hidden) of the chosen exercises on the given answers — by default the
reference solutions — in one process, as a verification session does, under cProfile, and reports
the cumulative seconds in each kind of work: `fit` (and inside it, tracing of the training function
and the data adapter's set-up), `predict`/model calls, graph tracing overall, model building, and
the rest. Rows overlap (building happens inside scenarios and fit, for instance). The
training-result cache is off, so every training runs.
Run: `python benchmarks/profile_checks.py --exercises 01 02 03 04 05 06 07 08 09 10 11`.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# (label, substring of "file:function" in the profile): cumulative time of the outermost match.
KINDS = [
    ("fit (all of it)", "tensorflow/trainer.py:fit"),
    ("  the train-step calls", "polymorphic_function.py:__call__"),
    ("  tracing the train step (its Python body runs only while tracing)",
     "tensorflow/trainer.py:multi_step_on_iterator"),
    ("  epoch iterator (data adapter) set-up", "epoch_iterator.py:__init__"),
    ("predictions on held-out and probe inputs", "checks/introspect.py:predict_numpy"),
    ("scenarios (exercises 8-10: the learner's classes built and called)", "checks/scenario.py:play"),
    ("model and layer building", "layers/layer.py:build_wrapper"),
    ("model.compile", "trainers/trainer.py:compile"),
    ("learner code loading", "checks/submission.py:load_submission"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exercises", nargs="+", default=["05"])
    parser.add_argument("--path", type=Path, default=ROOT / "solutions", help="a folder of answers")
    parser.add_argument("--save", type=Path, help="also write the raw profile here (pstats format)")
    parser.add_argument("--load", type=Path, help="only summarise a profile written by --save")
    args = parser.parse_args()
    if args.load:
        stats = pstats.Stats(str(args.load))
        report(stats.stats, stats.total_tt)
        return
    os.environ.setdefault("COURSE_DATASET", "mnist5k")
    os.environ["COURSE_TRAINING_CACHE"] = "off"
    sys.path.insert(0, str(ROOT))
    import grader  # noqa: F401 - quiets TensorFlow
    from grader.datasets import load_dataset
    from grader.manifest import load_course
    from grader.runner import run_checks

    course = load_course()
    load_dataset()
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for exercise_id in args.exercises:
        exercise = course.find(exercise_id)
        run_checks(exercise, args.path / exercise.filename, include_hidden=True)
    profile.disable()
    total = time.perf_counter() - started
    if args.save:
        profile.dump_stats(args.save)
    report(pstats.Stats(profile).stats, total)


def report(stats: dict, total: float) -> None:
    """Print the seconds of each kind of work in KINDS as a Markdown table."""
    print(f"| work | seconds | share of {total:.1f} s |")
    print("|---|---|---|")
    for label, needle in KINDS:
        matches = [cumulative for (path, _, name), (_, _, _, cumulative, _) in stats.items()
                   if needle in f"{path}:{name}"]
        seconds = max(matches, default=0.0)  # the outermost frame holds the recursive ones
        print(f"| {label} | {seconds:.2f} | {seconds / total:.0%} |")


if __name__ == "__main__":
    main()
