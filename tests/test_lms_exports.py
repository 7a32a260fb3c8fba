"""The Canvas and Moodle gradebooks and the roster, written from hand-made records (no grading): the
header rules, the Points Possible row, late-adjusted points, roster-only rows and roster errors.
tests/test_late_work.py checks the same files from real `course grade` runs."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import pytest

from grader.export.canvas import write_canvas
from grader.export.lms import assignment_name
from grader.export.moodle import write_moodle
from grader.export.roster import RosterError, read_roster
from grader.manifest import load_course


def _record(student: str, points: dict[str, float], late_fraction: float | None = None) -> dict:
    from grader.grade.deadlines import apply_late

    record = {"student": student, "total": sum(points.values()),
              "exercises": {e: {"points": p} for e, p in points.items()}}
    if late_fraction is None:
        return record
    return apply_late(record, {"penalty_fraction": late_fraction, "reason": "late", "source": "test",
                               "submitted_at": "2026-12-02T00:00:00+00:00"})


def test_canvas_csv_has_the_student_columns_points_possible_and_late_adjusted_scores(tmp_path):
    course = load_course()
    roster = tmp_path / "roster.csv"
    roster.write_text("student,lms_id,name,section,sis_user_id\nann,7,\"Ann, A\",S1,u-ann\nzed,9,\"Zed, Z\",S2,u-zed\n")
    records = [_record("ann", {"01": 7, "04": 12}, late_fraction=0.5), _record("bob", {"01": 3, "04": 0})]
    rows = list(csv.reader(write_canvas(tmp_path, records, course, read_roster(roster)).open(newline="")))
    names = [assignment_name(course, course.find("1")), assignment_name(course, course.find("4"))]
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *names]
    assert rows[1] == ["    Points Possible", "", "", "", "",
                       f"{course.find('1').max_points:g}", f"{course.find('4').max_points:g}"]
    assert rows[2] == ["Ann, A", "7", "u-ann", "ann", "S1", "3.5", "6"]  # half off, each exercise alike
    assert rows[3] == ["bob", "", "", "bob", "", "3", "0"]  # not on the roster
    assert rows[4] == ["Zed, Z", "9", "u-zed", "zed", "S2", "", ""]  # on the roster, nothing submitted


def test_an_assignment_name_never_looks_like_a_canvas_assignment_id():
    course = load_course()
    exercise = dataclasses.replace(course.find("1"), title="Flatten (2)")
    assert assignment_name(course, exercise).endswith("Flatten [2]")
    assert len(assignment_name(course, dataclasses.replace(exercise, title="x" * 400))) == 255


def test_moodle_csv_has_identifier_columns_then_one_grade_column_per_exercise(tmp_path):
    course = load_course()
    roster = tmp_path / "roster.csv"
    roster.write_text("student,email,idnumber\nann,Ann@example.edu,A1\nzed,zed@example.edu,A9\n")
    records = [_record("ann", {"01": 7}, late_fraction=0.2)]
    rows = list(csv.reader(write_moodle(tmp_path, records, course, read_roster(roster)).open(newline="")))
    assert rows[0] == ["Email address", "ID number", "Username", assignment_name(course, course.find("1"))]
    assert rows[1:] == [["Ann@example.edu", "A1", "ann", "5.6"], ["zed@example.edu", "A9", "zed", ""]]


@pytest.mark.parametrize(("text", "says"), [
    ("login,email\nann,a@example.edu\n", "needs a header row with a 'student' column"),
    ("student,phone\nann,123\n", "columns the grader does not know: phone"),
    ("student,email\nann,a@example.edu\nann,b@example.edu\n", "lists 'ann' twice"),
    ("student,email\nann\n", "line 2 has 1 columns, not 2"),
    ("student,email\n,a@example.edu\n", "line 2 has no student id"),
])
def test_a_bad_roster_is_one_line_naming_the_problem(tmp_path, text, says):
    path = tmp_path / "roster.csv"
    path.write_text(text)
    with pytest.raises(RosterError, match=says) as error:
        read_roster(path)
    assert "\n" not in str(error.value)


def test_a_missing_roster_file_is_a_roster_error(tmp_path):
    with pytest.raises(RosterError, match="cannot read"):
        read_roster(Path(tmp_path / "nowhere.csv"))
