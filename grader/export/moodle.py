"""`moodle.csv`: the gradebook in the layout Moodle's CSV grade import reads.

Rules followed (Moodle Docs, "Grade import", CSV import): the file has a header row; on import the
teacher picks one column to identify users ("Map from") and the user field it holds ("Map to":
`useremail` for an e-mail address, `useridnumber` for the ID number, `username`), then maps each
grade column to a grade item (an existing one, or a new one). E-mail addresses are matched
case-sensitively, so they are written exactly as the roster gives them. A grade is a plain number
with a decimal point.

Here: the identifier columns come first — `Email address`, `ID number`, `Username` (from the roster,
grader.export.roster; `Username` defaults to the course's student id) — then one grade column per
graded exercise named as the Canvas file names it (grader.export.lms), holding the points after any
late penalty. A roster entry with no submission gets a row with empty grade cells (the file gives no
grade rather than forcing a zero). Every text cell is protected against spreadsheet formulas.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from grader.export.lms import assignment_name, graded_exercises, points_cell
from grader.export.roster import Roster
from grader.manifest import Course

FILE = "moodle.csv"
IDENTIFIER_COLUMNS = ("Email address", "ID number", "Username")


def write_moodle(out: Path, records: list[dict[str, Any]], course: Course, roster: Roster | None = None) -> Path:
    """Write OUT/moodle.csv from the gradebook's records (their `total`s final); return its path."""
    from grader.export.grades_csv import csv_cell
    from grader.results import write_text_atomic

    exercises = graded_exercises(records, course)
    roster = roster or Roster()
    by_student = {r["student"]: r for r in records}
    students = [*by_student, *(s for s in roster.entries if s not in by_student)]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*IDENTIFIER_COLUMNS, *(assignment_name(course, e) for e in exercises)])
    for student in students:
        person = roster.entry(student)
        cells = [person.email, person.idnumber, person.sis_login_id or student]
        writer.writerow([*(csv_cell(c) for c in cells), *(points_cell(by_student.get(student), e) for e in exercises)])
    path = out / FILE
    write_text_atomic(path, buffer.getvalue())
    return path
