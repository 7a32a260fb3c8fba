"""What the LMS gradebooks (grader.export.canvas, grader.export.moodle) share: which exercises are
columns, what each column is called, and each student's points in it (after any late penalty)."""

from __future__ import annotations

import re
from typing import Any

from grader.manifest import Course, Exercise


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
