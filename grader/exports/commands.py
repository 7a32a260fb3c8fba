"""CLI commands for the exports (registered on the `course` app by grader.cli).

    course nbgrader export COURSE_DIR [--assignment NAME] [--exercises 1,4,5]
    course notebooks [--path DIR] [--exercises-dir DIR]

Thin wrappers over grader.exports.nbgrader.export_course and
grader.exports.notebooks.write_learner_notebooks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from grader.manifest import UnknownExercise, load_course

console = Console(highlight=False)
err = Console(stderr=True, highlight=False)

nbgrader_app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                           help="(Instructors) the course as an nbgrader course.")


def _chosen_exercises(keys: list[str] | None):
    """Exercises named by `--exercises` (repeatable, or comma-separated); None means all."""
    if not keys:
        return None
    names = [name.strip() for key in keys for name in key.split(",") if name.strip()]
    try:
        return [load_course().find(name) for name in names]
    except UnknownExercise as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None


ExercisesOption = Annotated[list[str] | None, typer.Option(
    "--exercises", "-e", help="only these exercises, e.g. 1,4,5 (default: all in the manifest)")]


@nbgrader_app.command("export")
def export(course_dir: Annotated[Path, typer.Argument(help="the nbgrader course folder to write (created if missing)")],
           assignment: Annotated[str, typer.Option("--assignment", "-a", help="the assignment's name")] = "keras-course",
           exercises: ExercisesOption = None,
           solutions: Annotated[Path, typer.Option("--solutions", help="folder of reference solutions")] = Path("solutions"),
           docs: Annotated[Path, typer.Option("--docs", help="folder of the lesson pages")] = Path("docs")) -> None:
    """Write nbgrader_config.py and source/ASSIGNMENT/*.ipynb: solutions, graded and hidden checks."""
    from grader.exports.nbgrader import ExportError, export_course

    try:
        written = export_course(course_dir, solutions_dir=solutions, docs_dir=docs, assignment=assignment,
                                exercises=_chosen_exercises(exercises))
    except ExportError as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    for path in written:
        console.print(f"wrote {path}")
    console.print(f"next: cd {course_dir} && nbgrader generate_assignment {assignment}")


def notebooks(path: Annotated[Path, typer.Option("--path", "-p", help="where to write the notebooks")] = Path("notebooks"),
              exercises_dir: Annotated[Path, typer.Option("--exercises-dir", help="your exercise files")] = Path("exercises"),
              exercises: ExercisesOption = None) -> None:
    """Write your exercises as Jupyter notebooks, paired with the .py files (edit either)."""
    from grader.exports.notebooks import write_learner_notebooks

    if not exercises_dir.is_dir():
        err.print(f"[red]no folder {exercises_dir}; run this where your exercises/ folder is[/red]")
        raise typer.Exit(2)
    done = write_learner_notebooks(exercises_dir, path, _chosen_exercises(exercises))
    for item in done:
        if item.action == "failed":
            err.print(f"[red]{item.path}: {item.reason}[/red]")
        else:
            console.print(f"{item.action} {item.path}" + (f" ({item.reason})" if item.reason else ""))
    console.print("Edit either file; `jupytext --sync NOTEBOOK` (or `course notebooks` again) copies your "
                  "latest edits to the other. Check a notebook with `course check --path NOTEBOOK`.")
    if any(item.action == "failed" for item in done):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the export commands (`course nbgrader ...`, `course notebooks`) to `app`."""
    app.add_typer(nbgrader_app, name="nbgrader")
    app.command("notebooks")(notebooks)
