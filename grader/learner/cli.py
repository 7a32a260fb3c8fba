"""The learner's commands on the `course` app: list, check, hint, watch, reset, notebooks, submit.

Each command is a thin wrapper over plain Python (grader.learner.commands, .watch, .submit and
grader.export.notebooks). Each command's examples live here, in `EXAMPLES`: `course CMD --help`
shows them, and the learner README written by `course release` lists them (`learner_commands`).
These are the only commands of the learner's copy; grader.cli adds the instructor's in the
instructor's repository.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from grader.manifest import SUBMISSION_SUFFIXES, UnknownExercise, load_course

console = Console(highlight=False)
err = Console(stderr=True, highlight=False)

PathOption = Annotated[Path | None, typer.Option("--path", "-p", help="an exercise file, or a folder of them (default: ./exercises)")]
JsonOption = Annotated[bool, typer.Option("--json", help="print the result as JSON for scripts")]
ExercisesOption = Annotated[list[str] | None, typer.Option(
    "--exercises", "-e", help="only these exercises, e.g. 1,4,5 (default: all in the manifest)")]


@dataclass(frozen=True)
class Example:
    """One way to use a command: what the learner types, and what it does."""

    command: str
    does: str


@dataclass(frozen=True)
class LearnerCommand:
    """A learner command as the CLI defines it: its name, its one-line help, its examples."""

    name: str
    summary: str
    examples: tuple[Example, ...]


EXAMPLES: dict[str, tuple[Example, ...]] = {
    "list": (Example("course list", "progress: every exercise, passed / failing / not checked"),),
    "check": (Example("course check 4", "one exercise (also: 04, sequential); exit 0 only when every check passes"),
              Example("course check", "all of them"),
              Example("course check 4 --path my/04_sequential.py", "another file (or a folder of them); --json for scripts")),
    "hint": (Example("course hint 4", "a nudge"), Example("course hint 4 --more", "the API to use"),
             Example("course hint 4 --more --more", "a worked line")),
    "watch": (Example("course watch", "re-check the exercise you are working on every time you save it"),),
    "reset": (Example("course reset 4", "back to the stub; your version is kept in .course/backup/"),),
    "notebooks": (Example("course notebooks", "notebooks/NN_slug.ipynb, paired with exercises/NN_slug.py"),
                  Example("course check --path notebooks/04_sequential.ipynb", "check the notebook form")),
    "submit": (Example("course submit --student ID", "check every exercise once, then write ID.zip to hand in"),
               Example("course submit", "the same, with the student id you used last time")),
}


def _exercise(key: str):
    try:
        return load_course().find(key)
    except UnknownExercise as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None


def list_(path: PathOption = None, as_json: JsonOption = False,
          check_all: Annotated[bool, typer.Option("--check", help="re-run every exercise's checks first")] = False) -> None:
    """Show every exercise with its last known status."""
    from grader.learner.commands import progress_rows

    root = Path.cwd()
    if check_all:
        _run_checks(None, path, as_json=True, quiet=True)
    rows = progress_rows(path, root)
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    from grader.learner.render import progress_table

    console.print(progress_table(rows))


def _run_checks(keys: list[str] | None, path: Path | None, *, as_json: bool, quiet: bool = False,
                include_hidden: bool = False) -> list:
    from grader.learner.commands import check
    from grader.learner.render import render_result, training_progress

    if keys:
        for key in keys:
            _exercise(key)
    if path is not None and not path.exists():
        err.print(f"[red]no such file or folder: {path}[/red]")
        raise typer.Exit(2)
    show = None if (as_json or quiet) else (lambda result: render_result(console, result))
    if as_json or quiet:
        return check(keys, path, Path.cwd(), include_hidden, on_result=show)
    with training_progress(console):
        return check(keys, path, Path.cwd(), include_hidden, on_result=show)


def check_(ids: Annotated[list[str] | None, typer.Argument(help="exercise numbers or names: 4, 04, sequential (default: all)")] = None,
           path: PathOption = None, as_json: JsonOption = False,
           hidden: Annotated[bool, typer.Option("--hidden", help="also run hidden checks (course staff)",
                                              hidden=load_course().is_learner_copy)] = False) -> None:
    """Run the checks of one exercise (or all); exit 0 only when every check passes."""
    if path is not None and path.suffix in SUBMISSION_SUFFIXES and not ids:
        from grader.learner.commands import exercise_for_file

        exercise = exercise_for_file(path)
        if exercise is None:
            err.print(f"[red]{path.name} is not an exercise file name; name the exercise: course check 4 --path {path}[/red]")
            raise typer.Exit(2)
        ids = [exercise.id]
    results = _run_checks(ids, path, as_json=as_json, include_hidden=hidden)
    if as_json:
        print(json.dumps([r.to_dict() for r in results], indent=2, default=str))
    elif len(results) > 1:
        passed = sum(r.passed for r in results)
        console.print(f"[bold]{passed}/{len(results)} exercises pass[/bold]")
    raise typer.Exit(0 if results and all(r.passed for r in results) else 1)


def hint(id: Annotated[str, typer.Argument(help="exercise number or name")],
         more: Annotated[int, typer.Option("--more", "-m", count=True,
                                           help="one level more: the API to use, then (twice) a worked line")] = 0,
         path: PathOption = None) -> None:
    """Print a hint: a nudge first; --more for the API to use; --more --more for a worked line."""
    from grader.learner.commands import hints

    exercise = _exercise(id)
    console.print(f"[bold]Exercise {exercise.number} — {exercise.title}[/bold]  (lesson: docs/{exercise.lesson})")
    shown = hints(exercise, more, path, Path.cwd())
    if not shown:
        console.print("no hint for this exercise")
        return
    for number, level in enumerate(shown, start=1):
        console.print(f"[bold]Hint {number} — {level.label}[/bold]")
        if level.key == "worked":
            console.print("    " + level.text.replace("\n", "\n    "), soft_wrap=True, markup=False)
        else:
            console.print(" ".join(level.text.split()), markup=False)
    if len(shown) < len(exercise.hints):
        flags = " ".join(["--more"] * len(shown))
        console.print(f"[dim]more: course hint {exercise.number} {flags}[/dim]")


def reset(id: Annotated[str, typer.Argument(help="exercise number or name")], path: PathOption = None,
          yes: Annotated[bool, typer.Option("--yes", "-y", help="don't ask")] = False) -> None:
    """Restore an exercise's stub; your current file is kept in .course/backup/."""
    from grader.learner.commands import reset as do_reset

    exercise = _exercise(id)
    if not yes and not typer.confirm(f"Reset {exercise.filename} to the stub? (your file is backed up)"):
        raise typer.Exit(1)
    target, backup = do_reset(exercise, path, Path.cwd())
    console.print(f"{target} reset" + (f"; your previous version is in {backup}" if backup else ""))


def watch(id: Annotated[str | None, typer.Argument(help="exercise to check first (default: the first not passing)")] = None,
          path: Annotated[Path | None, typer.Option("--path", "-p", help="folder of exercise files")] = None) -> None:
    """Re-check an exercise every time its file is saved (Ctrl-C to stop)."""
    from grader.learner.watch import watch_exercises

    folder = path or Path.cwd() / "exercises"
    watch_exercises(folder, _exercise(id) if id else None, console)


def chosen_exercises(keys: list[str] | None):
    """Exercises named by `--exercises` (repeatable, or comma-separated); None means all."""
    if not keys:
        return None
    names = [name.strip() for key in keys for name in key.split(",") if name.strip()]
    try:
        return [load_course().find(name) for name in names]
    except UnknownExercise as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None


def notebooks(path: Annotated[Path, typer.Option("--path", "-p", help="where to write the notebooks")] = Path("notebooks"),
              exercises_dir: Annotated[Path, typer.Option("--exercises-dir", help="your exercise files")] = Path("exercises"),
              exercises: ExercisesOption = None) -> None:
    """Write your exercises as Jupyter notebooks, paired with the .py files (edit either)."""
    from grader.export.notebooks import write_learner_notebooks

    if not exercises_dir.is_dir():
        err.print(f"[red]no folder {exercises_dir}; run this where your exercises/ folder is[/red]")
        raise typer.Exit(2)
    done = write_learner_notebooks(exercises_dir, path, chosen_exercises(exercises))
    for item in done:
        if item.action == "failed":
            err.print(f"[red]{item.path}: {item.reason}[/red]")
        else:
            console.print(f"{item.action} {item.path}" + (f" ({item.reason})" if item.reason else ""))
    console.print("Edit either file; `jupytext --sync NOTEBOOK` (or `course notebooks` again) copies your "
                  "latest edits to the other. Check a notebook with `course check --path NOTEBOOK`.")
    if any(item.action == "failed" for item in done):
        raise typer.Exit(1)


def submit(student: Annotated[str | None, typer.Option(
               "--student", "-s", help="your student id, as your instructor gave it (default: the one used last time)")] = None,
           out: Annotated[Path | None, typer.Option(
               "--out", "-o", help="where to write the archive: a folder, or a file named ID.zip (default: ./ID.zip)")] = None,
           exercises_dir: Annotated[Path, typer.Option("--exercises-dir", help="your exercise files")] = Path("exercises"),
           notebooks_dir: Annotated[Path, typer.Option("--notebooks-dir", help="your notebooks, if you use them")] = Path("notebooks"),
           ) -> None:
    """Check every exercise once, then write ID.zip (your exercise files and submission.json) to hand in."""
    from grader.learner.submit import (
        SubmitRefused,
        archive_path,
        check_student_id,
        chosen_files,
        missing_exercises,
        remembered_student,
        write_submission,
    )

    root = Path.cwd()
    student = student or remembered_student(root)
    if not student:
        err.print("which student are you? course submit --student ID (the id your instructor gave you)",
                  style="red", soft_wrap=True)
        raise typer.Exit(2)
    try:
        archive_path(check_student_id(student), out, root)  # refused before anything is checked
        files = chosen_files(exercises_dir, notebooks_dir, root)
    except SubmitRefused as error:
        err.print(str(error), style="red", soft_wrap=True, markup=False)
        raise typer.Exit(2) from None
    missing = missing_exercises(files)
    if missing:
        numbers = ", ".join(str(exercise.number) for exercise in missing)
        many = len(missing) > 1
        err.print(f"warning: exercise{'s' if many else ''} {numbers} {'have' if many else 'has'} no file in "
                  f"{exercises_dir}/; {'they are' if many else 'it is'} not handed in (`course reset "
                  f"{missing[0].number}` brings back its stub)", style="yellow", soft_wrap=True, markup=False)
    from grader.learner.render import render_result, training_progress  # imports the checks (TensorFlow)

    try:
        with training_progress(console):
            handed_in = write_submission(student, files, root, out,
                                         on_result=lambda result: render_result(console, result))
    except SubmitRefused as error:
        err.print(str(error), style="red", soft_wrap=True, markup=False)
        raise typer.Exit(2) from None
    for entry in handed_in.failing:
        err.print(f"warning: exercise {int(entry.exercise)} fails locally ({entry.points:g}/"
                  f"{entry.max_points:g} points); it is handed in as it is", style="yellow", soft_wrap=True)
    replaced = " (it replaces the one written before)" if handed_in.replaced else ""
    console.print(f"[bold]wrote {handed_in.archive}[/bold]{replaced}: {len(handed_in.exercises)} exercise files "
                  f"({handed_in.changed} changed from the stubs) and submission.json — hand this file in",
                  soft_wrap=True)


COMMANDS: dict[str, Callable[..., None]] = {
    "list": list_, "check": check_, "hint": hint, "watch": watch, "reset": reset, "notebooks": notebooks,
    "submit": submit,
}


def _epilog(name: str) -> str:
    """The examples as `--help` shows them (`\\b` keeps click from re-wrapping the lines)."""
    width = max(len(example.command) for example in EXAMPLES[name])
    lines = [f"  {example.command.ljust(width)}   # {example.does}" for example in EXAMPLES[name]]
    return "Examples:\n\n\b\n" + "\n".join(lines)


def learner_commands() -> list[LearnerCommand]:
    """Every learner command with its one-line help (the first line of its docstring) and its examples."""
    return [LearnerCommand(name, inspect.getdoc(function).splitlines()[0], EXAMPLES[name])
            for name, function in COMMANDS.items()]


def register(app: typer.Typer) -> None:
    """Add the learner commands to `app`."""
    for name, function in COMMANDS.items():
        app.command(name, epilog=_epilog(name))(function)
