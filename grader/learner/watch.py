"""`course watch`: re-check an exercise whenever its file is saved.

TensorFlow is imported once, when watching starts; each re-check then only reloads the learner's
file and runs its checks (well under the 1.5 s budget for the quick exercises).
"""

from __future__ import annotations

import itertools
from pathlib import Path

from rich.console import Console

from grader.learner.commands import check, progress_rows
from grader.learner.render import render_result, training_progress
from grader.manifest import Exercise, load_course

WAKE_MS = 200  # how long the watcher waits for a save before it first yields (and then between idle wake-ups)


def first_unfinished(folder: Path, root: Path) -> Exercise:
    course = load_course()
    for row in progress_rows(folder, root):
        if not row["status"].startswith("passed"):
            return course.find(row["id"])
    return course.exercises[-1]


def watch_exercises(folder: Path, exercise: Exercise | None, console: Console) -> None:
    from watchfiles import watch

    import grader.checks.introspect  # noqa: F401 - pay the TensorFlow import once, before the first save

    root = Path.cwd()
    course = load_course()
    current = exercise or first_unfinished(folder, root)

    def run(ex: Exercise) -> None:
        console.clear()
        with training_progress(console):
            check([ex.id], folder, root, on_result=lambda r: render_result(console, r))
        console.print(f"[dim]watching {folder} — save {ex.filename} to re-check, Ctrl-C to stop[/dim]")

    # The watcher starts before the first check: a file saved while it runs (or a moment after "watching"
    # is printed) is seen. With no save it wakes every WAKE_MS ms (an empty set of changes, skipped).
    saves = watch(folder, debounce=150, step=50, yield_on_timeout=True, rust_timeout=WAKE_MS)
    first = next(saves)  # the watcher is up; a save in its first moment is handled after the first check
    run(current)
    for changes in itertools.chain([first], saves):
        changed = {Path(p).name for _, p in changes}
        touched = [e for e in course.exercises if e.filename in changed]
        if touched:
            current = touched[0]
            run(current)
