"""Run one exercise's checks on one submission file, in this process, and return structured results.

This is the Python API behind `course check` and `course watch` (and what batch grading runs inside
each isolated worker). It drives pytest with the course plugin, silently: learners see only the
rendered results.
"""

from __future__ import annotations

import contextlib
import io
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest

from grader.checkfiles import check_names
from grader.manifest import Exercise
from grader.pytest_plugin import RESULTS_KEY
from grader.results import CheckResult

# The plugins of a check session: this project's alone. The installed ones (xdist, random-order, …) have
# nothing to do there, and loading them costs every session (finding them scans every installed
# distribution; their hooks run for every check): ≈ 40 ms of a 0.3 s re-check of exercise 4.
# pytest's own output, cache and the two plugins that run gc.collect() after every check are off too.
SESSION_PLUGINS = ("--disable-plugin-autoload", "-p", "grader.pytest_plugin",
                   "-p", "no:terminal", "-p", "no:cacheprovider",
                   "-p", "no:unraisableexception", "-p", "no:threadexception")


@dataclass
class ExerciseResult:
    """All checks of one exercise on one file."""

    exercise: str
    slug: str
    title: str
    path: str
    checks: list[CheckResult]
    seconds: float
    dataset: dict[str, Any] | None = None
    error: str | None = None  # the run itself could not happen (e.g. collection failed)
    notes: list[str] = field(default_factory=list)

    @property
    def points(self) -> float:
        return sum(c.points for c in self.checks)

    @property
    def max_points(self) -> float:
        return sum(c.max_points for c in self.checks)

    @property
    def passed(self) -> bool:
        return self.error is None and bool(self.checks) and all(c.outcome == "passed" for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(points=self.points, max_points=self.max_points, passed=self.passed)
        return data


class _Collector:
    def __init__(self) -> None:
        self.results: list[CheckResult] = []

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.results = list(session.config.stash[RESULTS_KEY])


def check_files(exercise: Exercise, include_hidden: bool) -> list[Path]:
    files = [exercise.public_checks]
    if include_hidden and exercise.hidden_checks.is_file():
        files.append(exercise.hidden_checks)
    return files


def _targets(exercise: Exercise, include_hidden: bool, only: str | None) -> list[str]:
    if only is None:
        return [str(f) for f in check_files(exercise, include_hidden)]
    targets = [f"{f}::{only}" for f in check_files(exercise, True) if only in check_names(f)]
    if not targets:
        raise LookupError(f"exercise {exercise.id} has no check called {only!r}")
    return targets


def run_checks(exercise: Exercise, path: Path, *, include_hidden: bool = False,
               only: str | None = None) -> ExerciseResult:
    """Run `exercise`'s checks (public, plus hidden if asked) against the learner file `path`.

    `only` names a single check (public or hidden) to run instead; LookupError if there is none.
    """
    path = Path(path).resolve()
    return _run_session([exercise], _targets(exercise, include_hidden, only), path)[0]


def run_checks_together(exercises: list[Exercise], *, include_hidden: bool = False) -> list[ExerciseResult]:
    """Run several exercises' checks in one pytest session, against submissions injected with
    `grader.pytest_plugin.injected_submission` (one session instead of one per exercise)."""
    targets = [t for exercise in exercises for t in _targets(exercise, include_hidden, None)]
    return _run_session(exercises, targets, Path(os.devnull))


def _run_session(exercises: list[Exercise], targets: list[str], path: Path) -> list[ExerciseResult]:
    import keras

    from grader.datasets import chosen_dataset_name

    keras.backend.clear_session(free_memory=False)  # a full gc.collect with TensorFlow loaded costs ~0.2 s
    collector = _Collector()
    args = [
        *SESSION_PLUGINS, "-c", os.devnull, "--rootdir", str(Path(__file__).parent),
        "--submission", str(path), "-W", "ignore",
        *targets,
    ]
    started = time.perf_counter()
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), _without_session_settings():
        code = pytest.main(args, plugins=[collector])
    seconds = round(time.perf_counter() - started, 3)
    error = None
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED) or not collector.results:
        error = f"the checks could not run (pytest exit {int(code)}): {sink.getvalue().strip()[-500:]}"
    results = []
    for exercise in exercises:
        checks = [c for c in collector.results if c.exercise == exercise.id]
        dataset = None
        if exercise.thresholds:  # exercises with accuracy thresholds train on the pinned data
            from grader.datasets import load_dataset

            dataset = load_dataset(chosen_dataset_name()).summary
        notes = sorted({note for check in checks for note in check.notes})
        took = seconds if len(exercises) == 1 else round(sum(c.duration_s for c in checks), 3)
        results.append(ExerciseResult(exercise.id, exercise.slug, exercise.title, str(path), checks, took,
                                      dataset, error or (None if checks else "no checks ran"), notes))
    return results


@contextlib.contextmanager
def _without_session_settings():
    """Keep the caller's pytest settings out of a check session: PYTEST_ADDOPTS (options such as `-n 2`
    or `--random-order` from a shell that runs a test suite) and PYTEST_PLUGINS (plugins to load)."""
    saved = {name: os.environ.pop(name) for name in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS") if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def resolve_submission(exercise: Exercise, path: Path | None) -> Path:
    """The learner file for `exercise`: `path` itself if it is a file, else `path/<filename>`."""
    return exercise.submission_path(path)

