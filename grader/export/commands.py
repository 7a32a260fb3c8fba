"""CLI commands for the exports (registered on the `course` app by grader.cli in the instructor's copy).

    course nbgrader export COURSE_DIR [--assignment NAME] [--exercises 1,4,5]
    course report GRADEBOOK_DIR

Thin wrappers over grader.export.nbgrader.export_course and grader.export.report.rebuild_report. The learner's `course notebooks` lives
with the other learner commands, in grader.learner.cli.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from grader.learner.cli import ExercisesOption, chosen_exercises

console = Console(highlight=False)
err = Console(stderr=True, highlight=False)

nbgrader_app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                           help="(Instructors) the course as an nbgrader course.")


@nbgrader_app.command("export")
def export(course_dir: Annotated[Path, typer.Argument(help="the nbgrader course folder to write (created if missing)")],
           assignment: Annotated[str, typer.Option("--assignment", "-a", help="the assignment's name")] = "keras-course",
           exercises: ExercisesOption = None,
           solutions: Annotated[Path, typer.Option("--solutions", help="folder of reference solutions")] = Path("solutions"),
           docs: Annotated[Path, typer.Option("--docs", help="folder of the lesson pages")] = Path("docs")) -> None:
    """Write nbgrader_config.py and source/ASSIGNMENT/*.ipynb: solutions, graded and hidden checks."""
    from grader.export.nbgrader import ExportError, export_course

    try:
        written = export_course(course_dir, solutions_dir=solutions, docs_dir=docs, assignment=assignment,
                                exercises=chosen_exercises(exercises))
    except ExportError as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    for path in written:
        console.print(f"wrote {path}")
    console.print(f"next: cd {course_dir} && nbgrader generate_assignment {assignment}")


def report(gradebook: Annotated[Path, typer.Argument(help="the --out folder of `course grade`")]) -> None:
    """(Re)build report.html and report.json of a graded class from its grades.json, without grading."""
    from grader.export.report import GradebookError, rebuild_report

    try:
        written = rebuild_report(gradebook)
    except GradebookError as error:
        err.print(f"[red]{escape(str(error))}[/red]", soft_wrap=True)
        raise typer.Exit(2) from None
    print(f"class report: {written} (and {written.with_suffix('.json').name})")  # never wrapped: a path to copy


def register(app: typer.Typer) -> None:
    """Add `course nbgrader ...` and `course report` to `app` (the learner's `course notebooks` is in
    grader.learner.cli)."""
    app.add_typer(nbgrader_app, name="nbgrader")
    app.command("report")(report)
