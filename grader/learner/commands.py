"""What the learner commands do, callable from Python: check, list, hint, reset (watch and submit have
modules of their own). Only `check` needs the checks (and so TensorFlow): they are imported when it runs,
so that `course submit` can refuse bad input, and `pristine_stub` answer, in a moment."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from grader.manifest import PACKAGE_DIR, Exercise, HintLevel, load_course
from grader.progress_store import load_progress, record, status_of
from grader.solution_markers import make_stub

if TYPE_CHECKING:
    from grader.runner import ExerciseResult

PRISTINE_STUBS = PACKAGE_DIR / "pristine_stubs"  # written into learner releases, where solutions/ is absent


def check(keys: list[str] | None, path: Path | None, root: Path, include_hidden: bool = False,
          on_result: Callable[[ExerciseResult], None] | None = None) -> list[ExerciseResult]:
    """Run the checks of the given exercises (all when `keys` is empty) and record progress."""
    from grader.runner import run_checks

    course = load_course()
    exercises = [course.find(k) for k in keys] if keys else list(course.exercises)
    results = []
    for exercise in exercises:
        result = run_checks(exercise, exercise.submission_path(path), include_hidden=include_hidden)
        record(root, [result])
        results.append(result)
        if on_result:
            on_result(result)
    return results


def progress_rows(path: Path | None, root: Path) -> list[dict]:
    """One row per exercise with its last recorded status ('passed', 'failing 3/10', 'not checked')."""
    state = load_progress(root)
    rows = []
    for exercise in load_course().exercises:
        file = exercise.submission_path(path)
        entry = status_of(state, file) if file.exists() else None
        if not file.exists():
            status = "missing"
        elif entry is None:
            status = "not checked"
        else:
            status = "passed" if entry["passed"] else f"failing {entry['points']:g}/{entry['max_points']:g}"
            if entry["stale"]:
                status += " (changed since)"
        rows.append({"number": exercise.number, "id": exercise.id, "slug": exercise.slug,
                     "title": exercise.title, "file": _relative(file, root), "lesson": exercise.lesson,
                     "status": status})
    return rows


def hints(exercise: Exercise, more: int, path: Path | None, root: Path) -> tuple[HintLevel, ...]:
    """The hints `course hint` shows: the nudge, plus one level per `--more` (the API, then a worked line);
    every level once the learner's file for `exercise` has passed (the last check recorded for it)."""
    file = exercise.submission_path(path)
    entry = status_of(load_progress(root), file) if file.exists() else None
    if entry is not None and entry.get("passed") and not entry.get("stale"):
        return exercise.hints
    return exercise.hints_up_to(1 + max(0, more))


def pristine_stub(exercise: Exercise, root: Path) -> str:
    """The untouched stub: generated from solutions/ (the working folder's, else the instructor's repository's)
    when present, else the copy shipped in a learner release."""
    for solution in (root / "solutions" / exercise.filename, PACKAGE_DIR.parent / "solutions" / exercise.filename):
        if solution.is_file():
            return make_stub(solution.read_text(encoding="utf-8"), solution.name)
    shipped = PRISTINE_STUBS / exercise.filename
    if shipped.is_file():
        return shipped.read_text(encoding="utf-8")
    raise FileNotFoundError(f"no pristine copy of {exercise.filename} (neither solutions/ nor {shipped})")


def reset(exercise: Exercise, path: Path | None, root: Path) -> tuple[Path, Path | None]:
    """Restore the stub; the learner's previous file is kept in .course/backup/ (never lost)."""
    target = exercise.submission_path(path)
    backup = None
    if target.exists():
        backup_dir = root / ".course" / "backup"
        backup_dir.mkdir(parents=True, exist_ok=True)
        backup = backup_dir / f"{target.stem}.{time.strftime('%Y%m%d-%H%M%S')}.py"
        shutil.copy2(target, backup)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(pristine_stub(exercise, root), encoding="utf-8")
    return target, backup


def exercise_for_file(path: Path) -> Exercise | None:
    """The exercise a file answers, by its name: `04_sequential.py` or its notebook `04_sequential.ipynb`."""
    return load_course().by_filename(Path(path).with_suffix(".py").name)


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
