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

from pathlib import Path
from typing import Any

from grader.export.lms import write_lms_csv
from grader.export.roster import Roster
from grader.manifest import Course

FILE = "moodle.csv"
IDENTIFIER_COLUMNS = ("Email address", "ID number", "Username")


def write_moodle(out: Path, records: list[dict[str, Any]], course: Course, roster: Roster | None = None) -> Path:
    """Write OUT/moodle.csv from the gradebook's records (their `total`s final); return its path."""
    return write_lms_csv(out / FILE, records, course, roster, IDENTIFIER_COLUMNS,
                         person_cells=lambda student, person: [person.email, person.idnumber,
                                                               person.sis_login_id or student])
