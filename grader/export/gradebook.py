"""The gradebook: every file derived from the verified student records, each written by one writer in
`WRITERS`:

- `grades.csv` (grader.export.grades_csv): a row per student, for an LMS import;
- `grades.json` (grader.export.grades_json): everything, with the dataset, seed, versions and isolation;
- `feedback/<student>.md` and `.html` (grader.export.feedback): messages and hints, hidden checks anonymous;
- `gradescope/<student>/results.json` (grader.export.gradescope_results): Gradescope's results format;
- `canvas.csv` and `moodle.csv` (grader.export.canvas, grader.export.moodle): the LMS imports, mapped
  through the roster when one is given (grader.export.roster);
- `report.html` and `report.json` (grader.export.report): the class report, drawn from grades.json.

With a deadline (grader.grade.deadlines, `OUT/late.json`) the records reach the writers with the late
penalty applied: every `total` is the final score, grades.csv adds `raw_total`, `late_penalty`,
`submitted_at`, `time_source` and `late_reason`, grades.json the terms and a `late` field per student,
and the feedback says why.

A writer is a function `write_X(out: Path, records: list[dict], book: Gradebook) -> Path` (the file or
folder it wrote); a new format is one module and one line in `WRITERS`. `<student>` in a file name is
`grader.students.student_file_name(id)`; the records keep the id. Everything is rebuilt from the
records, so it is the same whether the grading run was interrupted or not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.export.canvas import write_canvas
from grader.export.feedback import write_feedback
from grader.export.grades_csv import write_grades_csv
from grader.export.grades_json import write_grades_json
from grader.export.gradescope_results import write_gradescope_results
from grader.export.moodle import write_moodle
from grader.export.report import rebuild_report
from grader.export.roster import Roster
from grader.manifest import Course


@dataclass(frozen=True)
class Gradebook:
    """What a writer may use beside the records: the course, the summary of the dataset and split the
    grading used, how submissions were isolated, the record files that did not verify, the late terms
    applied (grader.grade.deadlines, without the per-student facts) and the roster, if any."""

    course: Course
    dataset: dict[str, Any]
    isolation: dict[str, Any] = field(default_factory=dict)
    unverified: list[str] = field(default_factory=list)
    late_terms: dict[str, Any] | None = None
    roster: Roster | None = None


GradebookWriter = Callable[[Path, list[dict[str, Any]], Gradebook], Path]

WRITERS: dict[str, GradebookWriter] = {
    "grades.csv": write_grades_csv,
    "grades.json": write_grades_json,
    "feedback": write_feedback,
    "gradescope": write_gradescope_results,
    "canvas.csv": lambda out, records, book: write_canvas(out, records, book.course, book.roster),
    "moodle.csv": lambda out, records, book: write_moodle(out, records, book.course, book.roster),
    "report": lambda out, records, book: rebuild_report(out),  # from grades.json, written above
}


def write_gradebook(out: Path, records: list[dict[str, Any]], book: Gradebook) -> list[Path]:
    """Write every registered format of the gradebook under `out`; return what each wrote."""
    return [write(out, records, book) for write in WRITERS.values()]
