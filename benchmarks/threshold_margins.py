"""How far above its threshold every answer of exercises 5 and 11 lands on the held-out splits `course grade` draws.

Batch grading draws each gradebook's held-out split with a secret key of its own (grader.grade.grade.split_key),
while the model's initial weights always come from the course seed: the split is the one thing that moves
a submission's accuracy from one gradebook to the next. A correct answer must pass on every split, not
only on the three seeds benchmarks/calibrate_thresholds.py varied. This grades every correct and wrong
variant (tests/variants/05, tests/variants/11) and both reference solutions with the real `course grade`,
once per split key: the tests' own key (tests/conftest.py TEST_SPLIT_KEY, the split every gradebook of the
suite uses) and `--keys` more, each derived from its number so the table can be made again.

Printed: one Markdown row per answer (accuracy per key, lowest, median), then per exercise the weakest
correct answer's lowest accuracy, the strongest wrong one that only the threshold stops, the threshold in
grader/course.toml and the margin it leaves. Run:
`python benchmarks/threshold_margins.py --keys 8` (about 5 min per key on a quiet 2-core machine with
`--workers 2`), and `--dataset digits --keys 4` for the digits row.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from conftest import TEST_SPLIT_KEY  # noqa: E402 - the suite's key, not a copy of it

FILES = {"05": "05_training.py", "11": "11_capstone.py"}
# Wrong answers that train and are stopped by the threshold alone (the others fail an earlier check, or
# another check rejects them whatever their accuracy: the double softmax, the module-level model).
ONLY_THE_THRESHOLD_STOPS = {"wrong_too_few_epochs", "wrong_no_from_logits", "wrong_loss_string",
                            "wrong_learning_rate_100", "wrong_undertrained", "wrong_logits_as_probabilities"}
ACCURACY = re.compile(r"held-out accuracy ([0-9.]+) \(threshold ([0-9.]+)\)")


def split_keys(count: int) -> dict[str, bytes]:
    keys = {"tests": TEST_SPLIT_KEY}
    keys.update({f"k{i}": hashlib.sha256(f"keras-course threshold margins {i}".encode()).digest()
                 for i in range(1, count + 1)})
    return keys


def make_class(folder: Path) -> None:
    """One student per answer: every variant of exercises 5 and 11, and the reference solutions."""
    for exercise, filename in FILES.items():
        answers = [*sorted((ROOT / "tests" / "variants" / exercise).glob("*.py")), ROOT / "solutions" / filename]
        for path in answers:
            name = "reference" if path.parent.name == "solutions" else path.stem
            (folder / f"{exercise}-{name}").mkdir(parents=True)
            shutil.copy(path, folder / f"{exercise}-{name}" / filename)


def grade(folder: Path, out: Path, key: bytes, dataset: str, workers: int) -> dict[str, float]:
    """Accuracy per student ('05-reference', ...) in a gradebook whose split key is `key`."""
    (out / ".work").mkdir(parents=True)
    (out / ".work" / "split-key").write_bytes(key)
    (out / ".work" / "split-key").chmod(0o600)
    env = {**os.environ, "COURSE_DATASET": dataset, "COURSE_TRAINING_CACHE": "off"}
    done = subprocess.run([sys.executable, "-m", "grader.cli", "grade", str(folder), "--out", str(out), "--json",
                           "-w", str(workers), "-e", "5", "-e", "11"], cwd=ROOT, env=env, capture_output=True,
                          text=True)
    if done.returncode != 0:
        sys.exit(done.stderr[-3000:])
    found = {}
    for record in (json.loads(p.read_text()) for p in (out / "students").glob("*.json")):
        for exercise in record["exercises"].values():
            for check in exercise["checks"]:
                for note in check["notes"]:
                    if match := ACCURACY.search(note):
                        found[record["student"]] = float(match.group(1))
    return found


def thresholds(dataset: str) -> dict[str, float]:
    manifest = tomllib.loads((ROOT / "grader" / "course.toml").read_text())
    return {e["id"]: e["thresholds"][dataset] for e in manifest["exercise"] if e["id"] in FILES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keys", type=int, default=8, help="split keys besides the tests' own")
    parser.add_argument("--dataset", default="mnist5k")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    keys = split_keys(args.keys)
    accuracy: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="threshold-margins-") as scratch:
        folder = Path(scratch) / "class"
        make_class(folder)
        for label, key in keys.items():
            for student, value in grade(folder, Path(scratch) / f"out-{label}", key, args.dataset,
                                        args.workers).items():
                accuracy.setdefault(student, {})[label] = value
            print(f"# key {label}: {len(accuracy)} answers trained", file=sys.stderr, flush=True)

    print(f"| answer | {' | '.join(keys)} | lowest | median |")
    print("|---|" + "---|" * len(keys) + "---|---|")
    for student in sorted(accuracy):
        row = accuracy[student]
        cells = " | ".join(f"{row[k]:.3f}" if k in row else "—" for k in keys)
        print(f"| `{student}` | {cells} | **{min(row.values()):.3f}** | {statistics.median(row.values()):.3f} |")
    print()
    print("| exercise | weakest correct (lowest over keys) | strongest wrong only the threshold stops | "
          "threshold | margin below the weakest correct |")
    print("|---|---|---|---|---|")
    for exercise, threshold in thresholds(args.dataset).items():
        mine = {s.split("-", 1)[1]: v for s, v in accuracy.items() if s.startswith(exercise)}
        correct = {n: min(v.values()) for n, v in mine.items() if n.startswith("correct_") or n == "reference"}
        wrong = {n: max(v.values()) for n, v in mine.items() if n in ONLY_THE_THRESHOLD_STOPS}
        weakest, strongest = min(correct, key=correct.get), max(wrong, key=wrong.get)
        print(f"| {exercise} | `{weakest}` {correct[weakest]:.3f} | `{strongest}` {wrong[strongest]:.3f} | "
              f"{threshold:.2f} | {correct[weakest] - threshold:+.3f} |")


if __name__ == "__main__":
    main()
