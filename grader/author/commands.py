"""CLI commands for course authors (registered on the `course` app by grader.cli in the instructor's copy)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console


def register(app: typer.Typer) -> None:
    """Add `course stubs` and `course new-exercise` to `app`."""

    @app.command("new-exercise")
    def new_exercise_(
        number: Annotated[int, typer.Argument(help="the exercise's number, 1-99")],
        slug: Annotated[str, typer.Argument(help="its name in file names: lower-case words joined by '-'")],
        title: Annotated[str | None, typer.Option("--title", help="its title (default: from the slug)")] = None,
    ) -> None:
        """(Course authors) scaffold a new exercise: manifest entry, solution, stub, checks, lesson, nav, variants."""
        from grader.author.scaffold import ScaffoldError, new_exercise

        root = Path.cwd()
        try:
            written = new_exercise(root, number, slug, title)
        except ScaffoldError as error:
            Console(stderr=True, highlight=False).print(f"[red]{error}[/red]")
            raise typer.Exit(2) from None
        for path in written:
            Console(highlight=False).print(f"wrote {path.relative_to(root)}")

    @app.command("stubs")
    def stubs(check_only: Annotated[bool, typer.Option("--check", help="only report drift; exit 1 if any")] = False) -> None:
        """(Course authors) regenerate exercises/ from the solutions' markers."""
        from grader.author.stubs import stub_drift, write_stubs

        root = Path.cwd()
        if check_only:
            drift = stub_drift(root / "solutions", root / "exercises")
            for name in drift:
                Console(stderr=True, highlight=False).print(
                    f"[red]exercises/{name} differs from the stub generated from solutions/{name}[/red]")
            raise typer.Exit(1 if drift else 0)
        for written in write_stubs(root / "solutions", root / "exercises"):
            Console(highlight=False).print(f"wrote {written.relative_to(root)}")
