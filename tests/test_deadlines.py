"""Late-policy arithmetic and parsing, submission times from each source, and the gradebook's view of a
late student (grader.grade.deadlines): no grading here, see tests/test_late_work.py for real runs."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from grader.grade.deadlines import (
    LateTerms,
    TermsError,
    apply_late,
    check_class,
    late_facts,
    load_terms,
    parse_policy,
    parse_time,
    submission_time,
)

DAY, HOUR = 86400, 3600


@pytest.mark.parametrize(("policy", "seconds_late", "fraction"), [
    ("linear:10%/day,max:50%", -5, 0.0),  # early
    ("linear:10%/day,max:50%", 0, 0.0),  # exactly at the deadline is on time
    ("linear:10%/day,max:50%", 60, 0.1),  # a started day counts as a day
    ("linear:10%/day,max:50%", DAY, 0.1),
    ("linear:10%/day,max:50%", DAY + 1, 0.2),
    ("linear:10%/day,max:50%", 4.5 * DAY, 0.5),
    ("linear:10%/day,max:50%", 30 * DAY, 0.5),  # capped
    ("linear:10%/day", 30 * DAY, 1.0),  # never more than everything
    ("linear:5%/hour", 2.5 * HOUR, 0.15),
    ("linear:10%/day,grace:15m", 14 * 60, 0.0),  # within the grace: on time
    ("linear:10%/day,grace:15m", 16 * 60, 0.1),
    ("linear:10%/day,cutoff:3d", 3 * DAY + 1, 1.0),  # past the cutoff: nothing
    ("cutoff", 1, 1.0),
    ("cutoff", 0, 0.0),
    ("none", 100 * DAY, 0.0),
])
def test_the_late_policy_takes_the_stated_fraction(policy, seconds_late, fraction):
    assert parse_policy(policy).fraction(seconds_late) == pytest.approx(fraction)


@pytest.mark.parametrize("bad", ["linear:10%", "linear:10/day", "linear:150%/day", "max:50%", "sometimes",
                                 "linear:10%/day,linear:5%/day", "grace:soon", "linear:10%/week", ""])
def test_a_bad_policy_is_one_line_naming_the_grammar(bad):
    with pytest.raises(TermsError) as error:
        parse_policy(bad)
    assert "\n" not in str(error.value) and str(error.value).startswith("--late-policy")


def test_times_need_an_offset_and_nbgrader_timestamps_are_read():
    assert parse_time("2026-12-01T23:59+01:00", "t") == datetime(2026, 12, 1, 22, 59, tzinfo=UTC)
    assert parse_time("2026-12-01T22:59Z", "t") == datetime(2026, 12, 1, 22, 59, tzinfo=UTC)
    assert parse_time("2026-12-01 22:59:00.000000 UTC", "t") == datetime(2026, 12, 1, 22, 59, tzinfo=UTC)
    assert parse_time("2026-12-01 23:59:00 Europe/Paris", "t") == datetime(2026, 12, 1, 22, 59, tzinfo=UTC)
    for bad, says in (("2026-12-01T23:59", "no UTC offset"), ("next friday", "not a date"),
                      ("2026-02-30T10:00+00:00", "not a date")):
        with pytest.raises(TermsError, match=says):
            parse_time(bad, "--deadline")


def test_options_that_need_a_deadline_are_refused_without_one(tmp_path):
    with pytest.raises(TermsError, match="needs --deadline"):
        load_terms(None, "linear:10%/day")
    assert load_terms(None) is None


def _csv(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_extensions_and_submission_times_are_read_and_checked_against_the_class(tmp_path):
    extensions = _csv(tmp_path / "extensions.csv", "student,deadline\ncarol,2026-12-03T23:59+01:00\n")
    times = _csv(tmp_path / "times.csv", "student,submitted_at\ndave,2026-12-11T10:00+01:00\n")
    terms = load_terms("2026-12-01T23:59+01:00", "linear:10%/day", extensions, times)
    assert terms.deadline_for("carol") == parse_time("2026-12-03T23:59+01:00", "t")
    assert terms.deadline_for("bob") == terms.deadline
    check_class(terms, {"carol", "dave"})
    with pytest.raises(TermsError, match="--extensions names 1 student"):
        check_class(terms, {"dave"})
    with pytest.raises(TermsError, match="--submissions-csv names 1 student"):
        check_class(terms, {"carol"})
    with pytest.raises(TermsError, match="line 3"):
        load_terms("2026-12-01T23:59Z", None, _csv(tmp_path / "e2.csv", "student,deadline\na,2026-12-02T00:00Z\nb,soon\n"))
    with pytest.raises(TermsError, match="twice"):
        load_terms("2026-12-01T23:59Z", None, _csv(tmp_path / "e3.csv", "student,deadline\na,2026-12-02T00:00Z\n"
                                                                           "a,2026-12-03T00:00Z\n"))
    with pytest.raises(TermsError, match="header row with the columns student,submitted_at"):
        load_terms("2026-12-01T23:59Z", None, None, _csv(tmp_path / "t2.csv", "who,when\na,2026-12-02T00:00Z\n"))


def test_the_submission_time_comes_from_the_csv_then_timestamp_txt_then_the_archive(tmp_path):
    deadline = parse_time("2026-12-01T23:59+01:00", "t")
    folder = tmp_path / "bob" / "keras-course"
    folder.mkdir(parents=True)
    (folder / "timestamp.txt").write_text("2026-12-02 12:00:00.000000 UTC\n")
    archive = tmp_path / "carol.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(zipfile.ZipInfo("work/old.py", (2026, 11, 30, 9, 0, 0)), "x")
        zf.writestr(zipfile.ZipInfo("work/01_flatten.py", (2026, 12, 2, 1, 30, 0)), "x")
    terms = LateTerms(deadline)
    from_stamp = submission_time("bob", tmp_path / "bob", terms)
    assert from_stamp.at == datetime(2026, 12, 2, 12, tzinfo=UTC) and "timestamp.txt" in from_stamp.source
    from_zip = submission_time("carol", archive, terms)  # zip local time, read in the deadline's offset
    assert from_zip.at == datetime(2026, 12, 2, 0, 30, tzinfo=UTC)
    assert "01_flatten.py" in from_zip.source and "UTC+01:00" in from_zip.source
    terms.submitted = {"bob": datetime(2026, 12, 1, 20, tzinfo=UTC)}
    terms.submissions_csv = "times.csv"
    assert submission_time("bob", tmp_path / "bob", terms).source == "the instructor's submission times (times.csv)"
    (tmp_path / "erin").mkdir()
    assert submission_time("erin", tmp_path / "erin", terms).at is None
    (folder / "notes").mkdir()  # a submission's own file deeper than nbgrader writes one: not read
    (folder / "notes" / "timestamp.txt").write_text("2026-12-09 12:00:00.000000 UTC\n")
    assert submission_time("bob", tmp_path / "bob", LateTerms(deadline)).at == datetime(2026, 12, 2, 12, tzinfo=UTC)
    (folder / "timestamp.txt").write_text("sometime\n")  # costs only bob: his time is unknown, and says why
    unknown = submission_time("bob", tmp_path / "bob", LateTerms(deadline))
    assert unknown.at is None and "bob/keras-course/timestamp.txt" in unknown.source
    assert "--submissions-csv" in unknown.source


def test_a_late_record_keeps_its_raw_score_and_says_why():
    deadline = parse_time("2026-12-01T23:59Z", "t")
    terms = LateTerms(deadline, parse_policy("linear:10%/day,max:50%"))
    from grader.grade.deadlines import SubmissionTime

    facts = late_facts("bob", SubmissionTime(deadline + timedelta(days=1, minutes=1), "test"), terms)
    assert facts.penalty_fraction == pytest.approx(0.2) and "late by 1 d" in facts.reason and "20% off" in facts.reason
    record = {"student": "bob", "total": 8, "exercises": {"01": {"points": 3}, "04": {"points": 5}}}
    from dataclasses import asdict

    view = apply_late(record, asdict(facts))
    assert (view["raw_total"], view["late_penalty"], view["total"]) == (8, 1.6, 6.4)
    assert view["late"]["exercise_points"] == {"01": 2.4, "04": 4.0}
    assert record["total"] == 8  # the signed record itself is untouched
    assert apply_late(record, None) is record
