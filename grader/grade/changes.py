"""Whose grade moved in a run of `course grade --only-changed`, and by how much: `OUT/changes.csv`.

One row per student and exercise that the run graded again or dropped: the points before and after,
the change, and why it was graded again (which parts of its fingerprint changed, see
grader.grade.fingerprint). The file describes the last `--only-changed` run; the gradebook itself
(grades.csv, grades.json) is rebuilt from the records as always.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from grader.export.grades_csv import csv_cell
from grader.manifest import points_number
from grader.results import write_text_atomic

CHANGES_FILE = "changes.csv"
REMOVED = "no longer graded"  # the exercise left the manifest (or the selection)


@dataclass(frozen=True)
class GradeChange:
    """One exercise of one student, graded again (or dropped) in this run."""

    student: str
    exercise: str
    before: float | None  # None: no stored result
    after: float | None  # None: the exercise is no longer graded
    max_points: float | None
    why: str

    @property
    def change(self) -> float:
        return (self.after or 0.0) - (self.before or 0.0)

    @property
    def moved(self) -> bool:
        return self.before != self.after

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "change": self.change, "moved": self.moved}


def grade_changes(before: dict[str, Any] | None, after: dict[str, Any], reasons: dict[str, str]) -> list[GradeChange]:
    """The changes from the stored record `before` to the record `after` of one student: every exercise
    named in `reasons` (graded again, and why) and every exercise `after` no longer holds."""
    old = before.get("exercises", {}) if before else {}
    new = after["exercises"]
    changes = [GradeChange(after["student"], exercise_id, _points(old.get(exercise_id)), _points(new.get(exercise_id)),
                           new.get(exercise_id, old.get(exercise_id, {})).get("max_points"), reasons[exercise_id])
               for exercise_id in new if exercise_id in reasons]
    changes += [GradeChange(after["student"], exercise_id, _points(result), None, result.get("max_points"), REMOVED)
                for exercise_id, result in old.items() if exercise_id not in new and isinstance(result, dict)]
    return changes


def write_changes(out: Path, changes: list[GradeChange]) -> Path:
    """Write OUT/changes.csv (cells safe from spreadsheet formulas, as in grades.csv); return its path."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["student", "exercise", "before", "after", "change", "max_points", "why"])
    for c in sorted(changes, key=lambda c: (c.student, c.exercise)):
        writer.writerow([csv_cell(c.student), c.exercise, _fmt(c.before), _fmt(c.after), f"{c.change:+g}",
                         _fmt(c.max_points), csv_cell(c.why)])
    path = Path(out) / CHANGES_FILE
    write_text_atomic(path, buffer.getvalue())
    return path


def _points(result: Any) -> float | None:
    return float(result["points"]) if isinstance(result, dict) and "points" in result else None


def _fmt(value: float | None) -> str:
    return "" if value is None else points_number(value)
