"""Reading the signed student records in `OUT/students/` (written by grader.grade.grade): only the
records whose signature verifies (grader.grade.signing) count; the others are named, never trusted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from grader.grade.signing import verified


def student_records(out: Path) -> list[dict[str, Any]]:
    """The verified records in OUT/students, by student id (see grader.grade.signing)."""
    return read_records(out)[0]


def read_records(out: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """The verified records in OUT/students by student id, and the names of the files that did not verify."""
    records, unverified = [], []
    for path in sorted((out / "students").glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            record = None
        if verified(record):
            records.append(record)
        else:
            unverified.append(path.name)
    return sorted(records, key=lambda r: str(r["student"])), unverified
