"""CLI commands for instructors (registered on the `course` app by grader.cli)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console


def register(app: typer.Typer) -> None:
    """Add `course grade`, `course release` and `course gradescope ...` to `app`."""
    _register_release(app)

    @app.command("grade")
    def grade(
        submissions: Annotated[list[Path], typer.Argument(help="folders/archives of submissions, or nbgrader's submitted/ tree")],
        out: Annotated[Path, typer.Option("--out", "-o", help="where the gradebook and feedback go")],
        workers: Annotated[int, typer.Option("--workers", "-w", help="students graded at once")] = max(1, os.cpu_count() or 1),
        memory_mb: Annotated[int, typer.Option("--memory-mb", help="memory limit per submission process")] = 2048,
        exercise: Annotated[list[str] | None, typer.Option("--exercise", "-e", help="grade only these exercises")] = None,
        force: Annotated[bool, typer.Option("--force", help="re-grade students that already have results")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="JSON lines of progress, then a summary")] = False,
        scheduler: Annotated[str | None, typer.Option(
            "--scheduler", help="grade on this Dask distributed cluster (e.g. tcp://10.0.0.5:8786)")] = None,
    ) -> None:
        """Grade a whole class: isolated, limited, resumable; writes grades.csv/json, feedback, Gradescope files."""
        from grader.grade.grade import GradeOptions, grade_class
        from grader.grade.intake import count_students
        from grader.manifest import load_course

        console = Console(stderr=True, highlight=False)
        missing = [str(p) for p in submissions if not p.exists()]
        if missing:
            console.print(f"[red]no such folder or archive: {', '.join(missing)}[/red]")
            raise typer.Exit(2)
        course = load_course()
        try:
            chosen = [course.find(e).id for e in exercise] if exercise else None
        except LookupError as error:
            console.print(f"[red]{error}[/red]")
            raise typer.Exit(2) from None
        total = count_students(submissions, list(course.exercises))
        progress = _progress(console, total, as_json)
        if scheduler:
            try:
                import distributed  # noqa: F401
            except ImportError:
                console.print("[red]--scheduler needs Dask: pip install 'keras-course[scale]'[/red]")
                raise typer.Exit(2) from None
        options = GradeOptions(out=out, workers=workers, memory_mb=memory_mb, exercises=chosen, force=force,
                               on_progress=progress.update, scheduler=scheduler)
        with progress:
            records = grade_class(submissions, options)
        if as_json:
            print(json.dumps({"students": len(records), "out": str(out),
                              "totals": {r["student"]: r["total"] for r in records}}))
        else:
            Console(highlight=False).print(f"graded {len(records)} students → {out}/grades.csv, grades.json, "
                                           "feedback/, gradescope/")


def _register_release(app: typer.Typer) -> None:
    @app.command("release")
    def release(out: Annotated[Path, typer.Argument(help="an empty folder for the learner copy")]) -> None:
        """Write the learner-facing course: lessons, stubs, public checks, CLI — no solutions or hidden checks."""
        from grader.author.release import leaked_solution_text, write_release

        try:
            target = write_release(out)
        except FileExistsError as error:
            Console(stderr=True).print(f"[red]{error}[/red]")
            raise typer.Exit(2) from None
        leaks = leaked_solution_text(target)
        if leaks:
            Console(stderr=True).print("[red]solution text found in the release:[/red]\n" + "\n".join(leaks))
            raise typer.Exit(1)
        Console().print(f"learner release written to {target} (no solution or hidden-check text in it)")

    gradescope = typer.Typer(help="Gradescope autograder", no_args_is_help=True)

    @gradescope.command("bundle")
    def bundle(out: Annotated[Path, typer.Argument(help="the autograder zip to write")] = Path("autograder.zip")) -> None:
        """Build the Gradescope autograder zip (setup.sh, run_autograder, the course)."""
        from grader.export.gradescope import write_bundle

        Console().print(f"wrote {write_bundle(out)}")

    app.add_typer(gradescope, name="gradescope")


class _progress:
    """A rich progress bar with counts and ETA, or JSON lines for machines."""

    def __init__(self, console: Console, total: int, as_json: bool) -> None:
        self.as_json, self.total = as_json, total
        if not as_json:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TextColumn("ETA"),
                                TimeRemainingColumn(), TextColumn("{task.fields[last]}"), console=console)
            self.task = self.bar.add_task("grading", total=total, last="")

    def __enter__(self):
        if not self.as_json:
            self.bar.__enter__()
        return self

    def __exit__(self, *exc):
        if not self.as_json:
            self.bar.__exit__(*exc)

    def update(self, event: str, record: dict) -> None:
        if event == "failed":  # no result for this student in this run
            if self.as_json:
                print(json.dumps({"event": event, "student": record["student"], "reason": record["reason"]}), flush=True)
            else:
                self.bar.console.print(f"[red]{record['student']}: not graded ({record['reason']})[/red]")
            return
        if self.as_json:
            print(json.dumps({"event": event, "student": record["student"], "total": record["total"],
                              "max_total": record["max_total"]}), flush=True)
        else:
            self.bar.update(self.task, advance=1, last=f"{record['student']}: {record['total']:g}/{record['max_total']:g}")
