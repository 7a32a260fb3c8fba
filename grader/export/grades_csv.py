"""`grades.csv`: one row per student — per-exercise points, total, status (what an LMS import takes).
A cell that a spreadsheet would read as a formula (`=`, `+`, `-`, `@`) starts with `'`. With late terms
(grader.grade.deadlines) it adds `raw_total`, `late_penalty`, `submitted_at`, `time_source`, `late_reason`."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.manifest import points_number
from grader.results import write_text_atomic

if TYPE_CHECKING:
    from grader.export.gradebook import Gradebook


def write_grades_csv(out: Path, records: list[dict[str, Any]], book: Gradebook) -> Path:
    """OUT/grades.csv: a column per exercise graded (every exercise of the course if none was)."""
    ids = sorted({e for r in records for e in r["exercises"]}) or [e.id for e in book.course.exercises]
    names = {e.id: e.stem for e in book.course.exercises}  # a removed exercise (old records): its id
    late = book.late_terms is not None
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    late_columns = ["raw_total", "late_penalty", "submitted_at", "time_source", "late_reason"] if late else []
    writer.writerow(["student", *[names.get(i, i) for i in ids], "total", "max_total", "status", *late_columns])
    for record in records:
        statuses = sorted({x["status"] for x in record["exercises"].values()} - {"graded", record["status"]})
        facts = record.get("late") or {}
        late_cells = [points_number(record.get("raw_total", record["total"])),
                      points_number(record.get("late_penalty", 0)), facts.get("submitted_at") or "",
                      facts.get("source", ""), facts.get("reason", NOT_TIMED)] if late else []
        writer.writerow([csv_cell(cell) for cell in (
            record["student"], *[points_number(record["exercises"].get(i, {}).get("points", 0)) for i in ids],
            points_number(record["total"]), points_number(record["max_total"]),
            record["status"] + (f" ({', '.join(statuses)})" if statuses else ""), *late_cells)])
    path = out / "grades.csv"
    write_text_atomic(path, buffer.getvalue())
    return path


NOT_TIMED = "not among this run's submissions: lateness not judged"  # a record kept from an earlier run
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet reads as the start of a formula


def csv_cell(text: str) -> str:
    """`text` as a CSV cell no spreadsheet evaluates: a leading `'` before `= + - @`, tab or CR (OWASP)."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
