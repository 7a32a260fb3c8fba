"""What the LMS gradebooks (grader.export.canvas, grader.export.moodle) share: which exercises are
columns, what each column is called, and each student's points in it (after any late penalty)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader.export.grades_csv import csv_cell
from grader.export.roster import Roster, RosterEntry
from grader.manifest import Course, Exercise
from grader.results import write_text_atomic


def assignment_name(course: Course, exercise: Exercise) -> str:
    """The LMS column (Canvas assignment, Moodle grade item) of one exercise: `<course>: NN <title>`.

    Canvas reads a header ending in `(<digits>)` as an existing assignment's id, so such an ending
    is never produced; at most 255 characters (Canvas' limit for an assignment name)."""
    name = f"{course.title}: {int(exercise.id):02d} {exercise.title}"
    return re.sub(r"\((\d+)\)\s*$", r"[\1]", name)[:255]


def graded_exercises(records: list[dict[str, Any]], course: Course) -> list[Exercise]:
    """The exercises that any record holds (all of the course's when there are no records), in order."""
    held = {e for r in records for e in r["exercises"]}
    return [e for e in course.exercises if e.id in held] or list(course.exercises)


def points_cell(record: dict[str, Any] | None, exercise: Exercise) -> str:
    """A student's points for an exercise, after any late penalty; empty for a student with no record."""
    if record is None:
        return ""
    return f"{exercise_points(record, exercise.id):g}"


def exercise_points(record: dict[str, Any], exercise_id: str) -> float:
    """An exercise's points after any late penalty (grader.grade.deadlines.apply_late; the raw points when
    there is none)."""
    late = record.get("late")
    if late and exercise_id in late.get("exercise_points", {}):
        return late["exercise_points"][exercise_id]
    return record["exercises"].get(exercise_id, {}).get("points", 0)


def write_lms_csv(path: Path, records: list[dict[str, Any]], course: Course, roster: Roster | None,
                  identity: tuple[str, ...], person_cells: Callable[[str, RosterEntry], list[str]],
                  points_possible: str | None = None) -> Path:
    """Write one LMS gradebook CSV at `path`: the `identity` columns, then one column per graded exercise
    (`assignment_name`); with `points_possible`, a row of that label and each exercise's maximum (Canvas);
    then one row per graded student and per roster entry with no record (empty scores). Text cells are
    protected against spreadsheet formulas (grader.export.grades_csv.csv_cell). Returns `path`."""
    exercises = graded_exercises(records, course)
    roster = roster or Roster()
    by_student = {r["student"]: r for r in records}
    students = [*by_student, *(s for s in roster.entries if s not in by_student)]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*identity, *(assignment_name(course, e) for e in exercises)])
    if points_possible is not None:
        writer.writerow([points_possible, *[""] * (len(identity) - 1), *(f"{e.max_points:g}" for e in exercises)])
    for student in students:
        cells = person_cells(student, roster.entry(student))
        writer.writerow([*(csv_cell(c) for c in cells), *(points_cell(by_student.get(student), e) for e in exercises)])
    write_text_atomic(path, buffer.getvalue())
    return path
