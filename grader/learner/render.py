"""Rendering check results for a terminal (rich) — the learner's view of a run."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from grader import progress
from grader.checks.failure import NOT_CHECKED
from grader.manifest import check_label, hidden_check_label
from grader.runner import ExerciseResult


def render_result(console: Console, result: ExerciseResult, *, show_hidden_messages: bool = False) -> None:
    """One exercise: a header, a line per check (message under failures), notes, the score."""
    colour = "green" if result.passed else "red"
    console.print(Text.assemble((f"Exercise {int(result.exercise)} — {result.title}", "bold"),
                                (f"  {_shown_path(result.path)}", "dim")))
    if result.error:
        console.print(Text(f"  ✗ {result.error}", style="red"))
    hidden_number = 0
    shown_messages: set[str] = set()
    for check in result.checks:
        mark, style = ("✓", "green") if check.outcome == "passed" else ("✗", "red")
        if check.outcome != "passed" and check.message.startswith(NOT_CHECKED):
            mark, style = ("–", "dim")  # follows from a failure shown above: not a second mistake
        label = check_label(check.name)
        if check.hidden:
            hidden_number += 1
            label = hidden_check_label(hidden_number)
        points = f"{check.points:g}/{check.max_points:g}"
        console.print(Text.assemble((f"  {mark} ", style), label, (f"  [{points}]", "dim")))
        if check.outcome != "passed" and (not check.hidden or show_hidden_messages):
            if check.message in shown_messages:
                console.print(Text("      (same reason as above)", style="dim"))
                continue
            shown_messages.add(check.message)
            for line in check.message.splitlines():
                console.print(Text("      " + line, style="yellow" if line.startswith("  hint") else ""))
    for note in result.notes:
        console.print(Text(f"  note: {note}", style="cyan"))
    if result.dataset:
        console.print(Text(f"  data: {result.dataset['description']}", style="dim"))
    passed = sum(c.outcome == "passed" for c in result.checks)
    console.print(Text(f"  {result.points:g}/{result.max_points:g} points — {passed} of {len(result.checks)} "
                       f"checks pass ({result.seconds:.1f} s)", style=f"bold {colour}"))


def _shown_path(path: str) -> str:
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


def progress_table(rows: list[dict]) -> Table:
    """The `course list` table: one row per exercise with its last known status."""
    table = Table(title="Progress", title_justify="left")
    for column in ("#", "exercise", "file", "lesson", "status"):
        table.add_column(column)
    for row in rows:
        status = row["status"]
        style = {"passed": "green", "failing": "red", "not checked": "dim"}.get(status.split(" ")[0], "yellow")
        table.add_row(str(row["number"]), row["title"], row["file"], row["lesson"], Text(status, style=style))
    done = sum(r["status"].startswith("passed") for r in rows)
    table.caption = f"{done}/{len(rows)} exercises pass"
    return table


@contextlib.contextmanager
def training_progress(console: Console) -> Iterator[None]:
    """Show a progress bar for checks that train (the checks report epochs through grader.progress)."""
    bar = Progress(TextColumn("  {task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("epochs"), TimeElapsedColumn(), console=console, transient=True)
    tasks: dict[str, int] = {}

    def listener(label: str, done: int, total: int) -> None:
        if label not in tasks:
            tasks[label] = bar.add_task(label, total=total)
        bar.update(tasks[label], completed=done, total=total)

    progress.set_listener(listener)
    try:
        with bar:
            yield
    finally:
        progress.set_listener(None)
