"""Measure the held-out accuracy of exercise 5's and 11's answers, per dataset and seed (the seed moves the
split and the initial weights together), and their fit times. The thresholds in grader/course.toml are
calibrated on the splits batch grading draws instead (benchmarks/threshold_margins.py: 0.03 below the
weakest correct answer); this table's `--margin 0.02` is the rule they had before 2026-11-28.

Every correct variant (tests/variants/05/correct_*, tests/variants/11/correct_*) and every wrong one
that the grader trains (too few epochs, no `from_logits`, learning rate 100, ...) is trained as the
grader's accuracy check trains it: the dataset split with the seed, `seed_everything(seed)` before
the model is built (exercise 5: the grader's own lesson-4 model), the learner's `compile_model` and
`training_recipe`, `fit`, then argmax accuracy on the held-out split. With `--seeds 1234 1 2` the
course seed (1234) and two others vary both the split and the initial weights.

Printed: one Markdown row per answer with its accuracy per seed, its minimum and its median
training time; then per exercise and dataset the weakest correct answer, the strongest wrong one that
only the threshold stops (not the double softmax, which the loss check rejects), and the threshold
those leave room for (`--margin` below the weakest correct minimum, rounded down to
0.01). Run: `python benchmarks/calibrate_thresholds.py --datasets mnist5k digits --seeds 1234 1 2`
(about 1.5 s per epoch-of-4,000-images on a loaded 2-core machine; ~15 min for that command).
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = ROOT / "tests" / "variants"
# Wrong answers that reach training; the others fail before fit (no compile, bad recipe, wrong loss
# type, over the parameter budget) and say nothing about where the threshold belongs.
TRAINED_WRONG = {
    "05": ["wrong_too_few_epochs", "wrong_no_from_logits", "wrong_loss_string", "wrong_learning_rate_100"],
    "11": ["wrong_undertrained", "wrong_logits_as_probabilities", "wrong_double_softmax"],
}
# Trained and measured, but rejected by another check (the loss check sees the second softmax) and
# often as accurate as a right answer: the threshold is not what stops them.
CAUGHT_BY_ANOTHER_CHECK = {"wrong_double_softmax"}


@dataclass
class Measured:
    exercise: str
    variant: str
    dataset: str
    epochs: int
    accuracy: dict[int, float] = field(default_factory=dict)  # seed -> held-out accuracy (0.0 if it diverged)
    seconds: list[float] = field(default_factory=list)

    @property
    def correct(self) -> bool:
        return self.variant.startswith("correct_")

    @property
    def lowest(self) -> float:
        return min(self.accuracy.values())

    @property
    def highest(self) -> float:
        return max(self.accuracy.values())


def train_once(exercise_id: str, path: Path, dataset, seed: int) -> tuple[float, float, int]:
    """(held-out accuracy, seconds of fit, epochs) of the answer at `path`, trained as the grader does."""
    import keras

    from grader.checks import CheckFailure, ensure_built, expect_model
    from grader.checks.submission import load_submission
    from grader.checks.training import fit_within_budget, held_out_accuracy, seed_everything, validate_recipe
    from grader.checks_public.test_05_training import _reference_model

    keras.backend.clear_session(free_memory=False)
    submission = load_submission(path, exercise_id)
    recipe = validate_recipe(submission.call("training_recipe"), "training_recipe()", 50)
    seed_everything(seed)
    if exercise_id == "05":
        model = _reference_model()
    else:
        model = ensure_built(expect_model(submission.call("build_model"), "build_model()"), (28, 28), [])
    submission.call("compile_model", model)
    seconds = fit_within_budget(model, submission, dataset.x_train, dataset.y_train, recipe, math.inf).seconds
    try:
        accuracy = held_out_accuracy(model, dataset.x_test, dataset.y_test)
    except CheckFailure:  # NaN or infinite outputs: training diverged
        accuracy = 0.0
    return accuracy, seconds, int(recipe["epochs"])


def threshold_for(weakest_correct: float, margin: float) -> float:
    return math.floor((weakest_correct - margin) * 100 + 1e-9) / 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", nargs="+", default=["mnist5k", "digits"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[1234, 1, 2])
    parser.add_argument("--margin", type=float, default=0.02)
    parser.add_argument("--exercises", nargs="+", default=["05", "11"])
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    import grader  # noqa: F401 - quiets TensorFlow
    from grader.datasets import build_dataset

    rows: list[Measured] = []
    for name in args.datasets:
        for seed in args.seeds:
            dataset = build_dataset(name, seed)
            print(f"# {dataset.description}", file=sys.stderr, flush=True)
            for exercise_id in args.exercises:
                folder = VARIANTS / exercise_id
                paths = sorted(folder.glob("correct_*.py")) + [folder / f"{w}.py" for w in TRAINED_WRONG[exercise_id]]
                for path in paths:
                    accuracy, seconds, epochs = train_once(exercise_id, path, dataset, seed)
                    row = next((r for r in rows if (r.exercise, r.variant, r.dataset) == (exercise_id, path.stem, name)),
                               None)
                    if row is None:
                        row = Measured(exercise_id, path.stem, name, epochs)
                        rows.append(row)
                    row.accuracy[seed], row.seconds = accuracy, [*row.seconds, seconds]
                    print(f"  {exercise_id} {path.stem:32} seed {seed:5}: {accuracy:.3f} in {seconds:.1f} s",
                          file=sys.stderr, flush=True)

    seeds = " | ".join(f"seed {s}" for s in args.seeds)
    print(f"| exercise | dataset | answer | epochs | {seeds} | lowest | median fit time |")
    print("|---|---|---|---|" + "---|" * len(args.seeds) + "---|---|")
    for row in rows:
        accuracies = " | ".join(f"{row.accuracy[s]:.3f}" for s in args.seeds)
        print(f"| {row.exercise} | {row.dataset} | `{row.variant}` | {row.epochs} | {accuracies} | "
              f"**{row.lowest:.3f}** | {statistics.median(row.seconds):.1f} s |")
    print()
    print(f"| exercise | dataset | weakest correct (lowest over seeds) | strongest wrong the threshold must stop "
          f"(highest over seeds) | "
          f"threshold = weakest − {args.margin:.2f}, rounded down |")
    print("|---|---|---|---|---|")
    for exercise_id in args.exercises:
        for name in args.datasets:
            mine = [r for r in rows if r.exercise == exercise_id and r.dataset == name]
            weakest = min((r for r in mine if r.correct), key=lambda r: r.lowest)
            strongest = max((r for r in mine if not r.correct and r.variant not in CAUGHT_BY_ANOTHER_CHECK),
                            key=lambda r: r.highest)
            print(f"| {exercise_id} | {name} | `{weakest.variant}` {weakest.lowest:.3f} | "
                  f"`{strongest.variant}` {strongest.highest:.3f} | {threshold_for(weakest.lowest, args.margin):.2f} |")


if __name__ == "__main__":
    main()
