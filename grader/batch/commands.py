"""CLI commands for instructors (registered on the `course` app by grader.cli)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add `course grade`, `course release` and `course gradescope ...` to `app`."""
