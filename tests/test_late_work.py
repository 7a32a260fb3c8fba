"""`course grade` with a deadline, a late policy, extensions, each source of submission times and a
roster: real runs on a tiny class (exercise 1 only), the LMS files checked against their import rules,
every bad input refused in one line before grading, and a resumed run that re-applies a changed
deadline without grading any code again."""

from __future__ import annotations

import csv
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from test_batch import run_grade

pytestmark = pytest.mark.xdist_group("late_work")
ROOT = Path(__file__).resolve().parents[1]
DEADLINE = "2026-12-01T23:59+01:00"
POLICY = "linear:10%/day,max:50%"


def make_term_class(tmp: Path) -> Path:
    """alice on time (nbgrader timestamp.txt), bob 1 d 12 h late (timestamp.txt), carol 2 h late by her
    archive's newest member but with an extension, dave 9 days late by the instructor's CSV, erin with no
    time at all and not on the roster; frank is on the roster and submitted nothing."""
    solution = ROOT / "solutions" / "01_flatten.py"
    submitted = tmp / "submitted"
    for student, stamp in (("alice", "2026-12-01 20:00:00.000000 UTC"), ("bob", "2026-12-03 11:00:00.000000 UTC")):
        folder = submitted / student / "keras-course"
        folder.mkdir(parents=True)
        shutil.copy(solution, folder / "01_flatten.py")
        (folder / "timestamp.txt").write_text(stamp + "\n")
    for student in ("dave", "erin"):
        (submitted / student).mkdir()
        shutil.copy(solution, submitted / student / "01_flatten.py")
    with zipfile.ZipFile(submitted / "carol.zip", "w") as archive:
        archive.writestr(zipfile.ZipInfo("work/01_flatten.py", (2026, 12, 2, 1, 59, 0)), solution.read_bytes())
    (tmp / "extensions.csv").write_text("student,deadline\ncarol,2026-12-03T23:59+01:00\nfrank,2026-12-05T23:59+01:00\n")
    (tmp / "times.csv").write_text("student,submitted_at\ndave,2026-12-10T12:00:00+01:00\n")
    (tmp / "roster.csv").write_text(
        "student,lms_id,name,email,section,sis_user_id,idnumber\n"
        "alice,101,\"Lovelace, Ada\",ada@example.edu,S1,u-alice,A001\n"
        "bob,102,\"Babbage, Charles\",Charles@example.edu,S1,u-bob,A002\n"
        "carol,103,\"Hopper, Grace\",grace@example.edu,S2,u-carol,A003\n"
        "dave,104,\"=cmd|' /C calc'!A0\",dave@example.edu,S2,u-dave,A004\n"
        "frank,106,\"Allen, Fran\",fran@example.edu,S2,u-frank,A006\n")
    return submitted


def grade_term(tmp: Path, out: Path, *extra: str):
    return run_grade(str(tmp / "submitted"), "--out", str(out), "-e", "1", "--workers", "2", "--json",
                     "--deadline", DEADLINE, "--extensions", str(tmp / "extensions.csv"),
                     "--submissions-csv", str(tmp / "times.csv"), "--roster", str(tmp / "roster.csv"), *extra)


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("term")
    make_term_class(tmp)
    out = tmp / "gradebook"
    result = grade_term(tmp, out, "--late-policy", POLICY)
    assert result.returncode == 0, result.stderr[-3000:]
    book = json.loads((out / "grades.json").read_text())
    return {"tmp": tmp, "out": out, "result": result, "book": book,
            "students": {s["student"]: s for s in book["students"]}}


def test_each_student_is_timed_by_the_first_source_that_knows_and_penalised_by_the_policy(term):
    students = term["students"]
    full = students["alice"]["raw_total"]
    assert full > 0 and all(s["raw_total"] == full for s in students.values())  # all submitted the solution
    alice, bob, carol, dave, erin = (students[s] for s in ("alice", "bob", "carol", "dave", "erin"))
    assert "timestamp.txt" in alice["late"]["source"] and alice["late_penalty"] == 0 and alice["total"] == full
    assert "timestamp.txt" in bob["late"]["source"] and bob["late"]["penalty_fraction"] == pytest.approx(0.2)
    assert bob["total"] == pytest.approx(full * 0.8) and bob["late_penalty"] == pytest.approx(full * 0.2)
    assert "late by 1 d 12 h" in bob["late"]["reason"]
    assert "archive's newest member" in carol["late"]["source"] and carol["late"]["extended"]
    assert carol["late"]["submitted_at"] == "2026-12-02T01:59:00+01:00" and carol["total"] == full
    assert "on time" in carol["late"]["reason"] and "extended deadline 2026-12-03T23:59:00+01:00" in carol["late"]["reason"]
    assert dave["late"]["source"] == "the instructor's submission times (times.csv)"
    assert dave["late"]["penalty_fraction"] == pytest.approx(0.5) and dave["total"] == pytest.approx(full / 2)
    assert erin["late"]["submitted_at"] is None and erin["total"] == full and "unknown" in erin["late"]["reason"]


def test_grades_csv_and_feedback_keep_the_raw_score_penalty_and_reason(term):
    rows = {r["student"]: r for r in csv.DictReader((term["out"] / "grades.csv").open())}
    bob = rows["bob"]
    assert float(bob["total"]) == pytest.approx(0.8 * float(bob["raw_total"]))
    assert float(bob["late_penalty"]) == pytest.approx(0.2 * float(bob["raw_total"]))
    assert "20% off" in bob["late_reason"] and bob["submitted_at"] == "2026-12-03T11:00:00+00:00"
    assert "timestamp.txt" in bob["time_source"]
    feedback = (term["out"] / "feedback" / "bob.md").read_text()
    assert "late by 1 d 12 h" in feedback and f"final score {bob['total']}" in feedback
    assert "late penalty" in (term["out"] / "feedback" / "bob.html").read_text()


def test_the_run_reports_lateness_and_students_missing_from_the_roster(term):
    stderr = term["result"].stderr
    assert "2 late (2 penalised)" in stderr  # bob and dave; carol has an extension
    assert "no submission time for 1 student(s), not judged late: erin" in stderr
    assert "1 graded student(s) not on the roster" in stderr and "erin" in stderr
    assert term["book"]["not_on_roster"] == ["erin"]


def test_canvas_csv_follows_canvas_gradebook_import_rules(term):
    """Header: Student, ID, SIS User ID, SIS Login ID, Section, then one column per assignment (no
    `(id)` suffix: new assignments); second row: Points Possible; scores after penalties; roster-only
    students with empty scores; no cell a spreadsheet would evaluate."""
    rows = list(csv.reader((term["out"] / "canvas.csv").open(newline="")))
    header, possible, body = rows[0], rows[1], rows[2:]
    assert header[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assignments = header[5:]
    assert len(assignments) == 1 and "Tensors" in assignments[0] or "01" in assignments[0]
    assert not any(re.search(r"\(\d+\)\s*$", name) for name in assignments)
    assert possible[0].strip() == "Points Possible" and possible[1:5] == ["", "", "", ""]
    from grader.manifest import load_course

    assert float(possible[5]) == load_course().find("1").max_points
    by_login = {row[3]: row for row in body}
    assert set(by_login) == {"alice", "bob", "carol", "dave", "erin", "frank"}
    assert by_login["alice"][:5] == ["Lovelace, Ada", "101", "u-alice", "alice", "S1"]
    students = term["students"]
    assert float(by_login["bob"][5]) == pytest.approx(students["bob"]["total"])
    assert float(by_login["dave"][5]) == pytest.approx(students["dave"]["total"])
    assert by_login["erin"][:5] == ["erin", "", "", "erin", ""]  # not on the roster: the course id
    assert by_login["frank"][5] == ""  # on the roster, no submission: no score imported
    assert by_login["dave"][0].startswith("'=")  # the roster's formula is not a formula
    assert not [c for row in body for c in row if c[:1] in ("=", "+", "-", "@")]


def test_moodle_csv_has_identifier_columns_then_grade_columns(term):
    rows = list(csv.DictReader((term["out"] / "moodle.csv").open(newline="")))
    header = list(rows[0])
    assert header[:3] == ["Email address", "ID number", "Username"]
    canvas_header = next(csv.reader((term["out"] / "canvas.csv").open(newline="")))
    assert header[3:] == canvas_header[5:]
    by_email = {r["Email address"]: r for r in rows if r["Email address"]}
    assert by_email["Charles@example.edu"]["ID number"] == "A002"  # case kept: Moodle matches it exactly
    assert float(by_email["Charles@example.edu"][header[3]]) == pytest.approx(term["students"]["bob"]["total"])
    assert by_email["fran@example.edu"][header[3]] == ""
    assert [r["Username"] for r in rows if not r["Email address"]] == ["erin"]


def test_a_resumed_run_with_another_deadline_reapplies_penalties_without_grading_again(term, tmp_path):
    out = tmp_path / "gradebook"
    shutil.copytree(term["out"], out)
    before = {p.name: p.read_bytes() for p in (out / "students").glob("*.json")}
    later = run_grade(str(term["tmp"] / "submitted"), "--out", str(out), "-e", "1", "--json",
                      "--deadline", "2026-12-04T12:00+00:00", "--late-policy", "cutoff",
                      "--roster", str(term["tmp"] / "roster.csv"))
    assert later.returncode == 0, later.stderr[-3000:]
    events = [json.loads(line) for line in later.stdout.splitlines() if '"event"' in line]
    assert {e["event"] for e in events} == {"skipped"}
    assert {p.name: p.read_bytes() for p in (out / "students").glob("*.json")} == before
    students = {s["student"]: s for s in json.loads((out / "grades.json").read_text())["students"]}
    assert students["bob"]["late_penalty"] == 0 and students["bob"]["total"] == students["bob"]["raw_total"]
    assert students["dave"]["late"]["source"] == "the instructor's submission times (times.csv)"  # recorded times are kept
    assert students["dave"]["total"] == 0 and students["dave"]["raw_total"] > 0  # cutoff: 0, still graded
    # a run on one student's folder keeps the others' recorded times, judged under the new deadline
    one = run_grade(str(term["tmp"] / "submitted" / "erin"), "--out", str(out), "-e", "1", "--json",
                    "--deadline", DEADLINE, "--roster", str(term["tmp"] / "roster.csv"))
    assert one.returncode == 0, one.stderr[-3000:]
    students = {s["student"]: s for s in json.loads((out / "grades.json").read_text())["students"]}
    assert students["bob"]["total"] == 0 and "timestamp.txt" in students["bob"]["late"]["source"]  # cutoff kept
    assert students["carol"]["total"] == students["carol"]["raw_total"] > 0  # her extension kept
    # a run without --deadline and --roster keeps the recorded terms and roster; `--deadline none` drops the terms
    canvas = (out / "canvas.csv").read_text()
    again = run_grade(str(term["tmp"] / "submitted"), "--out", str(out), "-e", "1", "--json")
    assert again.returncode == 0, again.stderr[-3000:]  # frank's extension needs the recorded roster's class
    assert json.loads((out / "grades.json").read_text())["late_terms"]["policy"] == "cutoff"
    assert (out / "canvas.csv").read_text() == canvas  # the roster's names and LMS ids, not the course ids
    dropped = run_grade(str(term["tmp"] / "submitted"), "--out", str(out), "-e", "1", "--json", "--deadline", "none")
    assert dropped.returncode == 0
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert "late_penalty" not in rows[0] and {r["student"]: r["total"] for r in rows}["dave"] != "0"


BAD_INPUTS = [
    (["--deadline", "2026-12-01T23:59"], "has no UTC offset"),
    (["--deadline", "friday"], "is not a date and time"),
    (["--deadline", DEADLINE, "--late-policy", "linear:10%"], "needs a unit"),
    (["--deadline", DEADLINE, "--extensions", "{tmp}/bad_ext.csv"], "--extensions names 1 student(s) not in the class"),
    (["--deadline", DEADLINE, "--submissions-csv", "{tmp}/bad_times.csv"],
     "--submissions-csv names 1 student(s) not in the class"),
    (["--deadline", DEADLINE, "--submissions-csv", "{tmp}/bad_when.csv"], "bad_when.csv line 2"),
    (["--deadline", DEADLINE, "--roster", "{tmp}/bad_roster.csv"], "needs a header row with a 'student' column"),
    (["--late-policy", "cutoff"], "--late-policy needs --deadline"),
    (["--deadline", DEADLINE, "--extensions", "{tmp}/missing.csv"], "cannot read"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUTS, ids=[m for _, m in BAD_INPUTS])
def test_bad_terms_are_one_line_errors_before_any_grading(tmp_path, args, message):
    make_term_class(tmp_path)
    (tmp_path / "bad_ext.csv").write_text("student,deadline\nmallory,2026-12-05T23:59+01:00\n")
    (tmp_path / "bad_times.csv").write_text("student,submitted_at\nmallory,2026-12-05T23:59+01:00\n")
    (tmp_path / "bad_when.csv").write_text("student,submitted_at\nbob,yesterday\n")
    (tmp_path / "bad_roster.csv").write_text("login,email\nbob,b@example.edu\n")
    out = tmp_path / "gradebook"
    result = run_grade(str(tmp_path / "submitted"), "--out", str(out), "-e", "1",
                       *[a.format(tmp=tmp_path) for a in args], timeout=120)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr and not (out / "students").exists()


def test_a_bad_timestamp_costs_only_its_student_and_a_deeper_one_is_not_read(tmp_path):
    """bob's timestamp.txt has no UTC offset: his time is unknown, and his record names the file and why
    (it stopped the whole class's run before grading, and a student can put such a file in their own
    folder). alice's submission holds a timestamp.txt of its own, deeper than nbgrader writes one, that is
    no time at all: not read, she is timed by nbgrader's. Everyone is graded."""
    make_term_class(tmp_path)
    (tmp_path / "submitted" / "bob" / "keras-course" / "timestamp.txt").write_text("2026-12-03 11:00:00\n")
    (tmp_path / "submitted" / "alice" / "keras-course" / "notes").mkdir()
    (tmp_path / "submitted" / "alice" / "keras-course" / "notes" / "timestamp.txt").write_text("whenever\n")
    out = tmp_path / "out"
    result = run_grade(str(tmp_path / "submitted"), "--out", str(out), "-e", "1", "--deadline", DEADLINE, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    students = {s["student"]: s for s in json.loads((out / "grades.json").read_text())["students"]}
    bob, alice = students["bob"], students["alice"]
    assert bob["late"]["submitted_at"] is None and "submission time unknown" in bob["late"]["source"]
    assert "bob/keras-course/timestamp.txt" in bob["late"]["source"] and "no UTC offset" in bob["late"]["source"]
    assert bob["total"] == bob["raw_total"] > 0
    assert alice["late"]["submitted_at"] == "2026-12-01T20:00:00+00:00", alice["late"]
    assert "alice/keras-course/timestamp.txt" in alice["late"]["source"]
