"""The gradebook: every file derived from the verified student records, each written by one writer in
`WRITERS`:

- `grades.csv` (grader.export.grades_csv): a row per student, for an LMS import;
- `grades.json` (grader.export.grades_json): everything, with the dataset, seed, versions and isolation;
- `feedback/<student>.md` and `.html` (grader.export.feedback): messages and hints, hidden checks anonymous;
- `gradescope/<student>/results.json` (grader.export.gradescope_results): Gradescope's results format.

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

from grader.export.feedback import write_feedback
from grader.export.grades_csv import write_grades_csv
from grader.export.grades_json import write_grades_json
from grader.export.gradescope_results import write_gradescope_results
from grader.manifest import Course


@dataclass(frozen=True)
class Gradebook:
    """What a writer may use beside the records: the course, the summary of the dataset and split the
    grading used, how submissions were isolated, and the record files that did not verify."""

    course: Course
    dataset: dict[str, Any]
    isolation: dict[str, Any] = field(default_factory=dict)
    unverified: list[str] = field(default_factory=list)


GradebookWriter = Callable[[Path, list[dict[str, Any]], Gradebook], Path]

WRITERS: dict[str, GradebookWriter] = {
    "grades.csv": write_grades_csv,
    "grades.json": write_grades_json,
    "feedback": write_feedback,
    "gradescope": write_gradescope_results,
}


def write_gradebook(out: Path, records: list[dict[str, Any]], book: Gradebook) -> list[Path]:
    """Write every registered format of the gradebook under `out`; return what each wrote."""
    return [write(out, records, book) for write in WRITERS.values()]
