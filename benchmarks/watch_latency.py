"""Benchmark: learner re-check latency in `course watch` — from saving the file to the result line.

Starts `course watch N` in a scratch copy of the exercises, saves the exercise file alternately
with a wrong and a correct answer (exercise 4: two models written here; other exercises: the reference
solution and the first correct variant of tests/variants/, so that every re-check trains) a number of times, and reports the median
latency (target for exercise 4: ≤ 0.3 s) and the median CPU time the watching process spent per re-check
(what a loaded machine moves least). `--no-cache` turns the training cache off, so that every re-check
of exercises 5 and 11 trains (with it, a re-saved answer reuses its earlier training).
Run: `python benchmarks/watch_latency.py --saves 7` (`--exercise 5 --saves 4 --no-cache`).
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANSWERS = [
    "import keras\n\n\ndef build_model():\n    return keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),"
    " keras.layers.Dense(128, activation='relu'), keras.layers.Dense(10)])\n",
    "import keras\n\n\ndef build_model():\n    return keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),"
    " keras.layers.Dense(64, activation='relu'), keras.layers.Dense(10)])\n",
]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process `pid` and its waited-for children so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def read_until(proc: subprocess.Popen, marker: str, timeout: float) -> str:
    """Read the process's output until a line contains `marker` (unbuffered: select() and a
    buffered readline() together can wait forever on lines already read into the buffer)."""
    import time

    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    deadline, seen = time.monotonic() + timeout, getattr(proc, "_pending", "")
    while marker not in seen and time.monotonic() < deadline:
        if selector.select(timeout=0.5):
            chunk = os.read(proc.stdout.fileno(), 65536).decode(errors="replace")
            if not chunk:
                break
            seen += chunk
    selector.close()
    if marker not in seen:
        raise TimeoutError(f"no {marker!r} within {timeout} s:\n{seen}")
    end = seen.index(marker) + len(marker)
    end = seen.find("\n", end) + 1 or len(seen)
    proc._pending = seen[end:]  # what came after the marker's line, for the next call
    return seen[:end]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=7)
    parser.add_argument("--exercise", type=int, default=4)
    parser.add_argument("--no-cache", action="store_true", help="turn the training cache off")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from grader.manifest import load_course

    exercise = load_course().find(f"{args.exercise:02d}")
    answers = ANSWERS if args.exercise == 4 else [
        (ROOT / "solutions" / exercise.filename).read_text(),
        sorted((ROOT / "tests" / "variants" / exercise.id).glob("correct_*.py"))[0].read_text()]
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(ROOT / "exercises", Path(tmp) / "exercises")
        env = {**os.environ, "COURSE_DATASET": "mnist5k", "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "120"}
        if args.no_cache:
            env["COURSE_TRAINING_CACHE"] = "off"
        proc = subprocess.Popen([sys.executable, "-m", "grader.cli", "watch", str(args.exercise)], cwd=tmp, env=env,
                                text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            read_until(proc, "watching", 120)
            latencies, cpu_costs = [], []
            for i in range(args.saves):
                time.sleep(0.5)
                (Path(tmp) / "exercises" / exercise.filename).write_text(answers[i % 2])
                saved, cpu = time.monotonic(), cpu_seconds(proc.pid)
                read_until(proc, "points", 600)
                latencies.append(time.monotonic() - saved)
                cpu_costs.append(cpu_seconds(proc.pid) - cpu)
                read_until(proc, "watching", 10)
        finally:
            proc.terminate()
            proc.wait(10)
    print(json.dumps({"exercise": args.exercise, "cache": not args.no_cache, "saves": args.saves, "median_latency_s": round(statistics.median(latencies), 3),
                      "max_latency_s": round(max(latencies), 3),
                      "median_cpu_s": round(statistics.median(cpu_costs), 3)}, indent=2))


if __name__ == "__main__":
    main()
