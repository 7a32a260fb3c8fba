"""`course`: the command line. A thin layer over grader.learner, grader.authoring and friends."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from grader.manifest import UnknownExercise, load_course

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Keras course: check your exercises, get hints, track progress.")
console = Console(highlight=False)
err = Console(stderr=True, highlight=False)

PathOption = Annotated[Path | None, typer.Option("--path", "-p", help="an exercise file, or a folder of them (default: ./exercises)")]
JsonOption = Annotated[bool, typer.Option("--json", help="print the result as JSON for scripts")]


def _exercise(key: str):
    try:
        return load_course().find(key)
    except UnknownExercise as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None


@app.command("list")
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


@app.command("check")
def check_(ids: Annotated[list[str] | None, typer.Argument(help="exercise numbers or names: 4, 04, sequential (default: all)")] = None,
           path: PathOption = None, as_json: JsonOption = False,
           hidden: Annotated[bool, typer.Option("--hidden", help="also run hidden checks (course staff)")] = False) -> None:
    """Run the checks of one exercise (or all); exit 0 only when every check passes."""
    if path is not None and path.suffix in {".py", ".ipynb"} and not ids:
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


@app.command("hint")
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


@app.command("reset")
def reset(id: Annotated[str, typer.Argument(help="exercise number or name")], path: PathOption = None,
          yes: Annotated[bool, typer.Option("--yes", "-y", help="don't ask")] = False) -> None:
    """Restore an exercise's stub; your current file is kept in .course/backup/."""
    from grader.learner.commands import reset as do_reset

    exercise = _exercise(id)
    if not yes and not typer.confirm(f"Reset {exercise.filename} to the stub? (your file is backed up)"):
        raise typer.Exit(1)
    target, backup = do_reset(exercise, path, Path.cwd())
    console.print(f"{target} reset" + (f"; your previous version is in {backup}" if backup else ""))


@app.command("watch")
def watch(id: Annotated[str | None, typer.Argument(help="exercise to check first (default: the first not passing)")] = None,
          path: Annotated[Path | None, typer.Option("--path", "-p", help="folder of exercise files")] = None) -> None:
    """Re-check an exercise every time its file is saved (Ctrl-C to stop)."""
    from grader.learner.watch import watch_exercises

    folder = path or Path.cwd() / "exercises"
    watch_exercises(folder, _exercise(id) if id else None, console)


@app.command("stubs")
def stubs(check_only: Annotated[bool, typer.Option("--check", help="only report drift; exit 1 if any")] = False) -> None:
    """(Course authors) regenerate exercises/ from the solutions' markers."""
    from grader.authoring.stubs import stub_drift, write_stubs

    root = Path.cwd()
    if check_only:
        drift = stub_drift(root / "solutions", root / "exercises")
        for name in drift:
            err.print(f"[red]exercises/{name} differs from the stub generated from solutions/{name}[/red]")
        raise typer.Exit(1 if drift else 0)
    for written in write_stubs(root / "solutions", root / "exercises"):
        console.print(f"wrote {written.relative_to(root)}")


from grader.batch.commands import register as _register_batch  # noqa: E402
from grader.exports.commands import register as _register_exports  # noqa: E402

_register_exports(app)
_register_batch(app)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
