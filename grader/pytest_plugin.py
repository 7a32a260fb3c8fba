"""The pytest plugin (entry point `pytest11: course`): run an exercise's checks on a submission.

Options:
    --submission PATH      a folder holding exercise files named as in exercises/ (default: the
                           `exercises/` folder under the current directory), or one file (.py, or
                           a notebook .ipynb)
    --course-results FILE  write every check's outcome, points and message as JSON

Markers:
    exercise(id)  on a check module: which exercise of the manifest it checks
    points(n)     added at collection from the manifest (`[exercise.points]`); a check without
                  points in the manifest is a collection error, so the two cannot drift
    hidden        added to checks under grader/checks_hidden/: they count for points, but
                  learner-facing feedback shows only "hidden check N: passed/failed"

Fixtures: `exercise` (the manifest entry), `submission` (the learner's module, loaded once per
module — or the one set with `injected_submission`), `dataset` (the pinned data), `notes`
(learner-facing notes gathered while checking).

A failing check raises CheckFailure; its message replaces pytest's traceback in the report.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import pytest

from grader.checks.failure import CheckFailure
from grader.manifest import HIDDEN_CHECKS_DIR, Exercise, load_course
from grader.results import CheckResult

RESULTS_KEY = pytest.StashKey[list]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("course", "keras-course grading")
    group.addoption("--submission", default=None, metavar="PATH",
                    help="folder of exercise files (default: ./exercises) or a single exercise file")
    group.addoption("--course-results", default=None, metavar="FILE",
                    help="write the checks' outcomes and points as JSON to FILE")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "exercise(id): the manifest exercise a check module checks")
    config.addinivalue_line("markers", "points(n): points a check is worth (set from the manifest)")
    config.addinivalue_line("markers", "hidden: a hidden check; its source and message stay private")
    config.stash[RESULTS_KEY] = []


def _exercise_of(item: pytest.Item) -> Exercise | None:
    marker = item.get_closest_marker("exercise")
    return load_course().find(marker.args[0]) if marker else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        exercise = _exercise_of(item)
        if exercise is None:
            continue
        name = getattr(item, "originalname", item.name)
        if name not in exercise.points:
            raise pytest.UsageError(
                f"check {name} of exercise {exercise.id} has no points in grader/course.toml; "
                f"add it under [exercise.points]"
            )
        item.add_marker(pytest.mark.points(exercise.points[name]))
        if HIDDEN_CHECKS_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.hidden)


def submission_path(config: pytest.Config, exercise: Exercise) -> Path:
    """Where the learner's file for `exercise` is, given `--submission`."""
    option = config.getoption("submission") or os.environ.get("COURSE_SUBMISSION")
    return exercise.submission_path(Path(option) if option else None)


@pytest.fixture(scope="module")
def exercise(request: pytest.FixtureRequest) -> Exercise:
    found = _exercise_of(request.node) if isinstance(request.node, pytest.Item) else None
    marker = request.node.get_closest_marker("exercise") if found is None else None
    if found is None and marker is None:
        raise pytest.UsageError(f"{request.node.nodeid}: check module lacks pytest.mark.exercise(id)")
    return found or load_course().find(marker.args[0])


_INJECTED_SUBMISSION: ContextVar[Any] = ContextVar("course_injected_submission", default=None)


@contextlib.contextmanager
def injected_submission(*submissions: Any) -> Iterator[None]:
    """Within the block, checks of each `submission.exercise_id` get that submission instead of a file.

    This is how code that already holds the learner's objects (a notebook kernel's namespace, see
    grader.notebook; recorded answers, see grader.grade.replay) runs the same checks in-process;
    `--submission` is ignored for those exercises.
    """
    token = _INJECTED_SUBMISSION.set({s.exercise_id: s for s in submissions})
    try:
        yield
    finally:
        _INJECTED_SUBMISSION.reset(token)


@pytest.fixture(scope="module")
def submission(request: pytest.FixtureRequest, exercise: Exercise):
    """The learner's exercise module; a CheckFailure (for every check) if it cannot be loaded."""
    from grader.checks.submission import load_submission

    injected = (_INJECTED_SUBMISSION.get() or {}).get(exercise.id)
    if injected is not None:
        return injected
    return load_submission(submission_path(request.config, exercise), exercise.id)


@pytest.fixture(scope="session")
def dataset():
    from grader.datasets import load_dataset

    return load_dataset()


@pytest.fixture
def notes(request: pytest.FixtureRequest) -> list[str]:
    """Learner-facing notes for the current check (e.g. 'the grader built your model')."""
    collected: list[str] = []
    request.node.stash[_NOTES_KEY] = collected
    return collected


_NOTES_KEY = pytest.StashKey[list]()
_STARTED_KEY = pytest.StashKey[float]()


_IN_HIDDEN_CHECK: ContextVar[bool] = ContextVar("course_in_hidden_check", default=False)


def in_hidden_check() -> bool:
    """Whether the check running now (setup, call or teardown) is a hidden one."""
    return _IN_HIDDEN_CHECK.get()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    item.stash[_STARTED_KEY] = time.perf_counter()
    token = _IN_HIDDEN_CHECK.set(item.get_closest_marker("hidden") is not None)
    try:
        yield
    finally:
        _IN_HIDDEN_CHECK.reset(token)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    exercise = _exercise_of(item)
    if exercise is None:
        return
    failure = call.excinfo.value if call.excinfo is not None else None
    if isinstance(failure, CheckFailure):
        report.longrepr = failure.message  # the learner's message instead of a traceback
    elif failure is not None and not isinstance(failure, (pytest.skip.Exception,)):
        report.longrepr = (
            f"the check itself failed unexpectedly ({type(failure).__name__}: {failure}); "
            "please report this to the course staff"
        )
    finished = report.when == "call" or (report.when == "setup" and report.failed)
    if not finished:
        return
    marker = item.get_closest_marker("points")
    max_points = float(marker.args[0]) if marker else 0.0
    passed = report.passed and report.when == "call"
    submission = item.funcargs.get("submission") if hasattr(item, "funcargs") else None
    item.config.stash[RESULTS_KEY].append(
        CheckResult(
            exercise=exercise.id,
            name=getattr(item, "originalname", item.name),
            outcome="passed" if passed else "failed",
            points=max_points if passed else 0.0,
            max_points=max_points,
            hidden=item.get_closest_marker("hidden") is not None,
            message="" if passed else str(report.longrepr),
            details=failure.as_dict() if isinstance(failure, CheckFailure) else {},
            notes=list(item.stash.get(_NOTES_KEY, []))
            + (list(getattr(submission, "notes", [])) if submission is not None else []),
            duration_s=round(time.perf_counter() - item.stash.get(_STARTED_KEY, time.perf_counter()), 3),
        )
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    path = session.config.getoption("course_results")
    if not path:
        return
    from grader.results import write_json_atomic

    results = [r.to_dict() for r in session.config.stash[RESULTS_KEY]]
    write_json_atomic(Path(path), {"checks": results})




@pytest.fixture(autouse=True)
def _seeded(request: pytest.FixtureRequest):
    """Every check starts from the course seed, so its inputs (and a replay of them) are identical."""
    if _exercise_of(request.node) is not None:
        import keras

        keras.utils.set_random_seed(load_course().seed)
    yield
