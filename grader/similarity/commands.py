"""`course similarity`: the CLI layer over grader.similarity.run (registered by grader.cli)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from grader.similarity.detect import SimilarityReport


def register(app: typer.Typer) -> None:
    """Add `course similarity` to `app`."""

    @app.command("similarity")
    def similarity(
        submissions: Annotated[list[Path], typer.Argument(help="folders/archives of submissions, or nbgrader's submitted/ tree")],
        out: Annotated[Path, typer.Option("--out", "-o", help="where similarity.csv and similarity.html go")],
        exercise: Annotated[list[str] | None, typer.Option("--exercise", "-e", help="compare only these exercises")] = None,
        threshold: Annotated[float | None, typer.Option(
            "--threshold", help="flag pairs scoring at least this (0-1); default: grader/course.toml's [similarity]")] = None,
    ) -> None:
        """Compare the students' answers exercise by exercise; flag near-copies for a person to read (grades unchanged)."""
        from dataclasses import replace

        from grader.manifest import load_course
        from grader.similarity.detect import load_settings
        from grader.similarity.run import DetectorMissing, find_similarity, write_similarity

        err = Console(stderr=True, highlight=False)
        course = load_course()
        try:
            exercises = [course.find(e) for e in exercise] if exercise else list(course.exercises)
            settings = load_settings() if threshold is None else replace(load_settings(), threshold=threshold)
            report = find_similarity(submissions, exercises, settings)
        except (LookupError, ValueError, FileNotFoundError, NotADirectoryError, DetectorMissing) as error:
            err.print(f"[red]{escape(str(error))}[/red]")
            raise typer.Exit(2) from None
        if not report.students:
            err.print(f"[red]no submissions found under {escape(', '.join(map(str, submissions)))}: expected one "
                      "folder or .zip per student (or nbgrader's submitted/ tree)[/red]")
            raise typer.Exit(2)
        paths = write_similarity(out, report)
        console = Console(highlight=False)
        print_summary(console, report)
        console.print(f"→ {escape(str(paths[1]))}, {escape(str(paths[0]))}")


def print_summary(console: Console, report: SimilarityReport) -> None:
    """A few lines: how many were compared, which pairs are flagged, what was left out."""
    if len(report.students) < 2:
        console.print(f"only one student ({escape(report.students[0])}): there is nothing to compare")
    else:
        console.print(f"compared {len(report.students)} students, {len(report.pairs)} pairs over "
                      f"{len(report.labels)} exercises: {len(report.flagged)} flagged for a closer look "
                      "(grades unchanged)")
    for pair in report.flagged:
        console.print(f"  {escape(report.labels[pair.exercise_id])}: {escape(pair.student_a)} and "
                      f"{escape(pair.student_b)} (score {pair.score:.2f})")
    if report.not_compared:
        console.print(f"{len(report.not_compared)} not compared (listed in similarity.html):")
        for entry in report.not_compared[:10]:
            console.print(f"  {escape(entry.student[:80])} ({escape(report.where(entry))}): {escape(entry.reason)}")
