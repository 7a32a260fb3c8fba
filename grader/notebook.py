"""Run the course's checks from inside a Jupyter notebook: nbgrader test cells and learners' own cells.

    from grader.notebook import check
    check("04", "test_layer_types", globals())

runs one check of the manifest through the same pytest plugin and checks library as `course check`,
with the notebook's namespace as the submission, so a learner reads the same message in both. A
passing check prints one line (`✓ layer types (2 points)`) and returns None: a cell whose value were
a number would count as partial credit in nbgrader. A failing check raises `CheckFailed`, whose text
is the check's message and whose IPython traceback is that message alone. A hidden check (defined
under grader/checks_hidden/) keeps its message private, as everywhere else in the course.

nbgrader gives a graded cell 0 points for any error output *or any stderr output*, so while a check
runs, stderr — Python's and the process's file descriptor 2, where TensorFlow's C++ logging goes —
is discarded, warnings are ignored and logging is off. Only the check's verdict reaches the cell.

Importing this module freezes the objects alive so far (TensorFlow's and Keras's, which it imports)
out of the garbage collector's reach: every check ends in full collections (pytest and Keras each
ask for one), and walking TensorFlow's object graph would cost ~0.4 s each time, per check.

`check` does nothing when `namespace` is not a notebook's (`__name__ != "__main__"`) or when a check
is already running: a check cell that jupytext copied into the exercise's `.py` is then harmless
when the grader imports that file.
"""

from __future__ import annotations

import contextlib
import gc
import io
import logging
import os
import types
import warnings
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from grader.checkfiles import check_names
from grader.checks.submission import Submission
from grader.manifest import HIDDEN_CHECK, Exercise, check_label, load_course
from grader.manifest import points_text as _points

gc.freeze()  # see the module docstring: TensorFlow is imported by now, and lives as long as the kernel

HIDDEN_MESSAGE = "a hidden check failed; its details stay private (its code is not part of your notebook)"
_running: ContextVar[bool] = ContextVar("course_notebook_check_running", default=False)


class CheckFailed(Exception):
    """A check failed on the notebook's code. `str()` is the check's message for the learner."""

    def __init__(self, message: str, headline: str) -> None:
        super().__init__(message)
        self.message = message
        self.headline = headline

    def _render_traceback_(self) -> list[str]:
        """What IPython shows instead of a traceback: the verdict and the message, nothing else."""
        return [self.headline, *self.message.splitlines()]


def check(exercise_id: str | int, check_name: str, namespace: Mapping[str, Any]) -> None:
    """Run the check `check_name` of exercise `exercise_id` on the objects defined in `namespace`.

    Prints `✓ <check> (<n> points)` when it passes; raises CheckFailed with the learner's message
    when it fails. LookupError if the exercise has no such check.
    """
    if not _should_run(namespace):
        return None
    exercise = load_course().find(exercise_id)
    if check_name not in exercise.points:
        raise LookupError(f"exercise {exercise.id} has no check called {check_name!r} in grader/course.toml")
    hidden = check_name in check_names(exercise.hidden_checks)
    result = _run(exercise, namespace, only=check_name)
    points = exercise.points[check_name]
    label = HIDDEN_CHECK if hidden else check_label(check_name)
    failed = [c for c in result.checks if c.outcome != "passed"]
    if result.error or not result.checks or failed:
        message = HIDDEN_MESSAGE if hidden else (result.error or failed[0].message
                                                  or "the check failed without a message")
        raise CheckFailed(message, f"✗ {label} — 0 of {_points(points)}") from None
    print(f"✓ {label} ({_points(points)})")
    return None


def check_exercise(exercise_id: str | int, namespace: Mapping[str, Any]) -> None:
    """Run every public check of an exercise on `namespace`: one line per check, CheckFailed if any fails."""
    if not _should_run(namespace):
        return None
    exercise = load_course().find(exercise_id)
    result = _run(exercise, namespace, only=None)
    if result.error:
        raise CheckFailed(result.error, f"✗ exercise {exercise.number} — the checks could not run")
    failures = []
    for outcome in result.checks:
        mark = "✓" if outcome.outcome == "passed" else "✗"
        print(f"{mark} {check_label(outcome.name)} ({outcome.points:g}/{_points(outcome.max_points)})")
        if outcome.outcome != "passed":
            failures.append(f"{check_label(outcome.name)}:\n" + _indent(outcome.message))
    total = f"{result.points:g}/{result.max_points:g} points"
    if failures:
        raise CheckFailed("\n".join(failures), f"✗ exercise {exercise.number} — {total}") from None
    print(f"exercise {exercise.number}: {total}")
    return None


def namespace_submission(namespace: Mapping[str, Any], exercise: Exercise) -> Submission:
    """A Submission whose module holds (a snapshot of) the notebook's namespace."""
    module = types.ModuleType(str(namespace.get("__name__", "__main__")))
    module.__dict__.update(namespace)
    return Submission(Path(exercise.notebook_name), exercise.id, module)


def _should_run(namespace: Mapping[str, Any]) -> bool:
    return namespace.get("__name__") == "__main__" and not _running.get()


def _run(exercise: Exercise, namespace: Mapping[str, Any], only: str | None):
    from grader.pytest_plugin import injected_submission
    from grader.runner import run_checks

    submission = namespace_submission(namespace, exercise)
    token = _running.set(True)
    try:
        with _quiet(), injected_submission(submission):
            return run_checks(exercise, submission.path, include_hidden=only is not None, only=only)
    finally:
        _running.reset(token)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Discard stderr (Python's and file descriptor 2), warnings and logging inside the block."""
    previous_disable = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    with contextlib.ExitStack() as stack:
        stack.enter_context(_fd2_to_devnull())
        stack.enter_context(warnings.catch_warnings())
        warnings.simplefilter("ignore")
        stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
        try:
            yield
        finally:
            logging.disable(previous_disable)


@contextlib.contextmanager
def _fd2_to_devnull() -> Iterator[None]:
    try:
        saved = os.dup(2)
    except OSError:  # no file descriptor 2 at all: nothing can leak through it
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.splitlines())
