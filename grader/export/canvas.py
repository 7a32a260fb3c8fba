"""`canvas.csv`: the gradebook in Canvas' gradebook-import layout.

Rules followed (Canvas Instructor Guide, "How do I import grades in the Gradebook?" and its CSV
format notes, as restated in the Ohio State guide "Import CSV File for Carmen Grades",
teaching.resources.osu.edu):

- the first row is the header, and its first five columns are Canvas' own student columns, in the
  order Canvas exports them: `Student`, `ID`, `SIS User ID`, `SIS Login ID`, `Section`; Canvas
  matches a row to a person by `ID`, `SIS User ID` or `SIS Login ID` (the name only as a fallback);
- then one column per assignment, named by the assignment's name. A name ending in `(<digits>)` is
  Canvas' reference to an existing assignment's id, so none is written (grader.export.lms); a new
  name makes Canvas create that assignment on import;
- the second row is the `Points Possible` row (its first cell reads `Points Possible`, indented as
  in Canvas' export), holding each assignment's points possible: Canvas takes the points of a new
  assignment from it;
- scores are plain numbers; one row per student.

Here: each graded exercise is one assignment (`<course>: NN <title>`), its points possible the
exercise's maximum, and a student's score the exercise's points after any late penalty
(grader.grade.deadlines). Students come from the gradebook, mapped through the roster when there is
one (grader.export.roster); without one, or for a student missing from it, `Student` and
`SIS Login ID` are the course's student id and the other columns are empty. A roster entry with no
submission gets a row with empty score cells: the file gives no score for that person rather than
forcing a zero, so Canvas' own missing-submission policy (and any extension given in Canvas) decides;
Canvas' import preview lists every change before it is saved. Every text cell is protected against spreadsheet formulas (grader.export.grades_csv.csv_cell).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from grader.export.lms import write_lms_csv
from grader.export.roster import Roster
from grader.manifest import Course

FILE = "canvas.csv"
STUDENT_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
POINTS_POSSIBLE = "    Points Possible"


def write_canvas(out: Path, records: list[dict[str, Any]], course: Course, roster: Roster | None = None) -> Path:
    """Write OUT/canvas.csv from the gradebook's records (their `total`s final); return its path."""
    return write_lms_csv(out / FILE, records, course, roster, STUDENT_COLUMNS, points_possible=POINTS_POSSIBLE,
                         person_cells=lambda student, person: [person.name or student, person.lms_id, person.sis_user_id,
                                                               person.sis_login_id or student, person.section])
