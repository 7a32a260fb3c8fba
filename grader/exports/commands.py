"""CLI commands for the exports (registered on the `course` app by grader.cli)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the export commands (`course nbgrader ...`, `course notebooks`) to `app`."""
