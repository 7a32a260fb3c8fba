"""Deadlines, late penalties and extensions for `course grade`.

The instructor gives `--deadline` (ISO 8601 with a UTC offset, e.g. `2026-12-01T23:59+01:00`),
`--late-policy`, and optionally `--extensions FILE` and `--submissions-csv FILE`. Everything is read
and checked by `load_terms` and `check_class` before any student is graded: a bad time, a bad policy,
an unknown student or an extension for a student not in the class is a `TermsError` whose message is
one line.

When a student submitted — first source that has it, the source recorded per student:

1. `--submissions-csv FILE`: columns `student,submitted_at` (the instructor's word, e.g. an LMS export);
2. nbgrader's `timestamp.txt` in the student's folder (the newest, if there are several), as
   `nbgrader submit` writes it (`2026-12-01 22:59:00.000000 UTC`) or in ISO 8601 with an offset;
3. a zip archive's newest member time. Zip entries store a local time without a zone; it is read in
   the deadline's UTC offset (the course's clock), which the recorded source says. Not for an archive
   `course submit` wrote (it holds `SUBMIT_RECORD`): the learner was told that its times are their
   claim only and that it counts as handed in when the instructor receives it, so its time is unknown
   unless `--submissions-csv` gives it.

A student with none of these is not judged late; the record says "submission time unknown".
Only the first source is the instructor's own: a `timestamp.txt` is as trustworthy as whatever put it
in the folder (nbgrader's exchange does; a student could), and a zip's member times are whatever the
student's machine (or the student) wrote. Where that matters, give the LMS's times with
`--submissions-csv`; they take precedence. Only a `timestamp.txt` where nbgrader writes one is read
(in the student's folder, or in a folder directly in it). One that is not a time with a zone costs only
its student: with no readable one their time is unknown, and their record names the file and why; fix
it, or give that student's time with `--submissions-csv` (then the file is not read).

Late policy grammar (`--late-policy`), terms separated by commas::

    policy   := "none" | "cutoff" | term ("," term)*
    term     := "linear:" PERCENT "/" UNIT    PERCENT of the raw score per started UNIT late
              | "max:" PERCENT                the penalty never exceeds PERCENT
              | "grace:" DURATION             work at most DURATION late counts as on time
              | "cutoff:" DURATION            work more than DURATION late gets 0 (still graded)
    PERCENT  := a number, then "%" (0 to 100)
    UNIT     := "day" | "hour"                a day is 24 h
    DURATION := a number, then "m", "h" or "d"

`none` records lateness but takes nothing; `cutoff` gives late work 0 points (it is still graded,
and the raw score kept). `linear:10%/day` counts *started* periods, as Canvas' late policy does:
1 minute late costs 10%, 24 h 1 minute late costs 20%. Percentages are of the student's raw
score (a multiplier, as PrairieLearn's credit is), so the penalty never exceeds what was earned,
and each exercise's points are scaled by the same factor. Grace does not move the deadline: work
later than the grace is as late as it is.

The penalty is never part of a signed student record: `write_late_facts` stores the terms and each
student's submission time in `OUT/late.json`, and the gradebook applies them (`apply_late`) when it
is written. A resumed run with another deadline therefore re-applies the penalty without grading
any code again. On a later run each option left out keeps its recorded value (`load_terms`), and the
submission times are found again from the current files; `--deadline none` drops the terms.
"""

from __future__ import annotations

import csv
import math
import re
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from grader.results import write_json_atomic
from grader.students import SUBMIT_RECORD

LATE_FILE = "late.json"
UNKNOWN_TIME = "submission time unknown"
_PERIODS = {"day": 86400, "hour": 3600}
_DURATION_UNITS = {"m": 60, "h": 3600, "d": 86400}
GRAMMAR_HINT = ("write e.g. 'linear:10%/day,max:50%', 'none' or 'cutoff' (terms: linear:P%/day|hour, max:P%, "
                "grace:N[m|h|d], cutoff:N[m|h|d])")


class TermsError(ValueError):
    """A deadline, policy, extension or submission-time input that cannot be used; one line, for the instructor."""


# ---------------------------------------------------------------- times

_NBGRADER = re.compile(r"^(\d{4}-\d\d-\d\d[ T]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)\s+([A-Za-z_][A-Za-z0-9_+/-]*)$")


def parse_time(text: str, what: str) -> datetime:
    """`text` as an aware datetime: ISO 8601 with a UTC offset or `Z`, or nbgrader's `<date> <time> <zone>`
    (e.g. `2026-12-01 22:59:00.000000 UTC`). A time without an offset is refused: it means a different
    instant on every machine. `what` names the input in the error ("--deadline", "extensions.csv line 3")."""
    cleaned = text.strip()
    named = _NBGRADER.match(cleaned)
    try:
        if named:
            zone = _zone(named.group(2))
            return datetime.fromisoformat(named.group(1)).replace(tzinfo=zone)
        value = datetime.fromisoformat(cleaned)
    except ValueError:
        raise TermsError(f"{what}: {text.strip()[:60]!r} is not a date and time "
                         "(write ISO 8601 with a UTC offset, e.g. 2026-12-01T23:59+01:00)") from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise TermsError(f"{what}: {cleaned[:60]!r} has no UTC offset, so it names a different moment in each "
                         f"time zone (write e.g. {cleaned[:16]}+01:00 or {cleaned[:16]}Z)")
    return value


def _zone(name: str) -> tzinfo:
    if name.upper() in ("UTC", "GMT", "Z"):
        return UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(name) from None


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def parse_duration(text: str, what: str) -> float:
    """`30m`, `2h`, `1.5d` as seconds."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([mhd])", text.strip())
    if not match:
        raise TermsError(f"{what}: {text!r} is not a duration (write e.g. 30m, 2h or 1d)")
    return float(match.group(1)) * _DURATION_UNITS[match.group(2)]


# ---------------------------------------------------------------- the policy

@dataclass(frozen=True)
class LatePolicy:
    """A parsed `--late-policy` (see the module docstring); `text` is what the instructor wrote."""

    text: str = "none"
    rate: float = 0.0  # fraction of the raw score per started period
    period_s: float = 86400.0
    cap: float = 1.0  # the largest fraction ever taken
    grace_s: float = 0.0
    zero_after_s: float | None = None  # lateness beyond this takes everything

    def fraction(self, seconds_late: float) -> float:
        """The fraction of the raw score taken from work `seconds_late` seconds late (0 when on time)."""
        if seconds_late <= self.grace_s or seconds_late <= 0:
            return 0.0
        if self.zero_after_s is not None and seconds_late > self.zero_after_s:
            return 1.0
        return min(self.cap, self.rate * math.ceil(seconds_late / self.period_s), 1.0)


def parse_policy(text: str) -> LatePolicy:
    """The policy written in `text` (the grammar is in the module docstring); TermsError if it is not one."""
    written = text.strip()
    if written.lower() == "none":
        return LatePolicy(written)
    if written.lower() == "cutoff":
        return LatePolicy(written, zero_after_s=0.0)
    terms: dict[str, Any] = {}
    for term in (t.strip() for t in written.split(",")):
        name, _, value = term.partition(":")
        name = name.strip().lower()
        if not value or name not in ("linear", "max", "grace", "cutoff"):
            raise TermsError(f"--late-policy: {term!r} is not a term of a late policy; {GRAMMAR_HINT}")
        if name in terms:
            raise TermsError(f"--late-policy: {name!r} is given twice in {written!r}")
        if name == "linear":
            amount, _, unit = value.partition("/")
            if unit.strip().lower() not in _PERIODS:
                raise TermsError(f"--late-policy: {term!r} needs a unit, /day or /hour; {GRAMMAR_HINT}")
            terms[name] = (_percent(amount, term), _PERIODS[unit.strip().lower()])
        elif name == "max":
            terms[name] = _percent(value, term)
        else:
            terms[name] = parse_duration(value, f"--late-policy {term!r}")
    if "max" in terms and "linear" not in terms:
        raise TermsError(f"--late-policy: 'max' caps a 'linear' penalty, and {written!r} has none; {GRAMMAR_HINT}")
    rate, period = terms.get("linear", (0.0, 86400.0))
    return LatePolicy(written, rate=rate, period_s=period, cap=terms.get("max", 1.0),
                      grace_s=terms.get("grace", 0.0), zero_after_s=terms.get("cutoff"))


def _percent(text: str, term: str) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*%\s*", text)
    if not match or float(match.group(1)) > 100:
        raise TermsError(f"--late-policy: {term!r} needs a percentage from 0% to 100%; {GRAMMAR_HINT}")
    return float(match.group(1)) / 100


# ---------------------------------------------------------------- the instructor's files

def _read_table(path: Path, option: str, wanted: tuple[str, str]) -> list[tuple[int, str, str]]:
    """(line, student, time text) rows of a two-column CSV whose header names `wanted`."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise TermsError(f"{option}: cannot read {path} ({getattr(error, 'strerror', None) or error})") from None
    reader = csv.reader(text.splitlines())
    header = [h.strip().lower() for h in next(reader, [])]
    if not set(wanted) <= set(header):
        raise TermsError(f"{option}: {path.name} needs a header row with the columns {','.join(wanted)} "
                         f"(found {','.join(header) or 'nothing'})")
    first, second = header.index(wanted[0]), header.index(wanted[1])
    rows, seen = [], {}
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(first, second):
            raise TermsError(f"{option}: {path.name} line {line} has {len(row)} columns, not {len(header)}")
        student = row[first].strip()
        if student in seen:
            raise TermsError(f"{option}: {path.name} lists {student!r} twice (lines {seen[student]} and {line})")
        seen[student] = line
        rows.append((line, student, row[second]))
    return rows


def read_extensions(path: Path) -> dict[str, datetime]:
    """`student,deadline` rows: each student's own deadline, replacing the class's."""
    return {student: parse_time(when, f"--extensions {path.name} line {line}")
            for line, student, when in _read_table(path, "--extensions", ("student", "deadline"))}


def read_submission_times(path: Path) -> dict[str, datetime]:
    """`student,submitted_at` rows: when each student submitted, as the instructor records it."""
    return {student: parse_time(when, f"--submissions-csv {path.name} line {line}")
            for line, student, when in _read_table(path, "--submissions-csv", ("student", "submitted_at"))}


@dataclass
class LateTerms:
    """What decides lateness for a class: the deadline, the policy, extensions, instructor-given times."""

    deadline: datetime
    policy: LatePolicy = field(default_factory=LatePolicy)
    extensions: dict[str, datetime] = field(default_factory=dict)
    submitted: dict[str, datetime] = field(default_factory=dict)
    submissions_csv: str | None = None  # its file name, for the recorded source

    def deadline_for(self, student: str) -> datetime:
        return self.extensions.get(student, self.deadline)


def load_terms(deadline: str | None, policy: str | None = None, extensions: Path | None = None,
               submissions_csv: Path | None = None, recorded: LateTerms | None = None) -> LateTerms | None:
    """The class's late terms from the command-line options. Each option left out keeps its value in
    `recorded` (the terms of an earlier run on the same gradebook, see `recorded_terms`), so a resumed
    run with only a new `--deadline` keeps the policy, extensions and submission times. None when
    there is neither a deadline nor recorded terms."""
    if deadline is None and recorded is None:
        given = [name for name, value in (("--late-policy", policy), ("--extensions", extensions),
                                          ("--submissions-csv", submissions_csv)) if value is not None]
        if given:
            raise TermsError(f"{', '.join(given)} needs --deadline (e.g. --deadline 2026-12-01T23:59+01:00)")
        return None
    base = recorded or LateTerms(deadline=datetime.now(UTC))
    return LateTerms(
        deadline=parse_time(deadline, "--deadline") if deadline is not None else base.deadline,
        policy=parse_policy(policy) if policy is not None else base.policy,
        extensions=read_extensions(extensions) if extensions else base.extensions,
        submitted=read_submission_times(submissions_csv) if submissions_csv else base.submitted,
        submissions_csv=submissions_csv.name if submissions_csv else base.submissions_csv)


def check_class(terms: LateTerms, class_ids: set[str]) -> None:
    """TermsError if the extensions or submission times name a student who is not in the class
    (the students found in the submissions, and the roster's, if there is one)."""
    for option, table in (("--extensions", terms.extensions), ("--submissions-csv", terms.submitted)):
        unknown = sorted(set(table) - class_ids)
        if unknown:
            shown = ", ".join(repr(s) for s in unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
            raise TermsError(f"{option} names {len(unknown)} student(s) not in the class: {shown} "
                             "(the class is the submission folders' and archives' names, plus --roster's students)")


# ---------------------------------------------------------------- per student

@dataclass
class SubmissionTime:
    """When one student submitted (None: unknown) and where that came from."""

    at: datetime | None
    source: str


def submission_time(student: str, source: Path, terms: LateTerms) -> SubmissionTime:
    """The student's submission time by the precedence in the module docstring.

    Only the timestamp.txt files where nbgrader puts one are read: the student's folder itself and each
    folder directly in it (`submitted/STUDENT/ASSIGNMENT/timestamp.txt`); one deeper is a file of the
    submission's own. A stamp that cannot be read as a time costs only its student: none readable, the
    time is unknown, and the record says which file and why (it stopped the whole class's run before,
    and a student could put such a file in their own folder)."""
    if student in terms.submitted:
        return SubmissionTime(terms.submitted[student], f"the instructor's submission times ({terms.submissions_csv})")
    if source.is_dir():
        stamps = [p for p in (source / "timestamp.txt", *sorted(source.glob("*/timestamp.txt")))
                  if p.is_file() and not p.is_symlink()]
        times, unreadable = [], []
        for stamp in stamps:
            shown = f"{student}/{stamp.relative_to(source)}"
            try:
                with stamp.open("rb") as file:  # its first 200 bytes: a stamp of any size costs nothing
                    text = file.read(200).decode("utf-8", errors="replace")
                times.append((parse_time(text, shown), shown))
            except OSError as error:
                unreadable.append(f"{shown}: cannot read it ({error.strerror})")
            except TermsError as error:
                unreadable.append(str(error))
        if times:
            newest = max(times)
            return SubmissionTime(newest[0], f"nbgrader timestamp.txt ({newest[1]})")
        if unreadable:
            return SubmissionTime(None, f"{UNKNOWN_TIME} ({unreadable[0][:300]}; give {student}'s time in "
                                        "--submissions-csv)")
    elif source.suffix.lower() == ".zip":
        return _archive_time(source, terms.deadline)
    return SubmissionTime(None, UNKNOWN_TIME)


def _archive_time(archive: Path, deadline: datetime) -> SubmissionTime:
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [e for e in zf.infolist() if not e.is_dir()]
    except Exception:  # noqa: BLE001 - an unreadable archive is reported by intake; its time is unknown
        return SubmissionTime(None, f"{UNKNOWN_TIME} (the archive {archive.name} cannot be read)")
    if not members:
        return SubmissionTime(None, f"{UNKNOWN_TIME} (the archive {archive.name} is empty)")
    if any(e.filename == SUBMIT_RECORD for e in members):
        return SubmissionTime(None, f"{UNKNOWN_TIME} ({archive.name} was written by `course submit`: its times are "
                                    "the learner's clock, a claim; give when you received it with --submissions-csv)")
    newest = max(members, key=lambda e: e.date_time)
    try:
        at = datetime(*newest.date_time, tzinfo=deadline.tzinfo)
    except ValueError:
        return SubmissionTime(None, f"{UNKNOWN_TIME} (the archive {archive.name} has an impossible member date)")
    offset = deadline.strftime("%z")
    return SubmissionTime(at, f"archive's newest member ({archive.name}: {newest.filename[:100]}, "
                              f"zip local time read as UTC{offset[:3]}:{offset[3:]})")


@dataclass
class LateFacts:
    """One student's lateness, as recorded in OUT/late.json and in the gradebook's `late` field."""

    submitted_at: str | None
    source: str
    deadline: str
    extended: bool
    seconds_late: float
    penalty_fraction: float
    policy: str
    reason: str


def late_facts(student: str, when: SubmissionTime, terms: LateTerms) -> LateFacts:
    """Apply the terms to one student's submission time."""
    deadline = terms.deadline_for(student)
    extended = student in terms.extensions
    due = f"{'extended deadline' if extended else 'deadline'} {iso(deadline)}"
    if when.at is None:
        return LateFacts(None, when.source, iso(deadline), extended, 0.0, 0.0, terms.policy.text,
                         f"{when.source}, so not judged late ({due})")
    seconds = (when.at - deadline).total_seconds()
    fraction = terms.policy.fraction(seconds)
    if seconds <= 0:
        reason = f"on time (submitted {iso(when.at)}, {due})"
    elif fraction == 0:
        reason = f"late by {_span(seconds)} (submitted {iso(when.at)}, {due}); no penalty under '{terms.policy.text}'"
    else:
        reason = (f"late by {_span(seconds)} (submitted {iso(when.at)}, {due}): "
                  f"{fraction * 100:g}% off under '{terms.policy.text}'")
    return LateFacts(iso(when.at), when.source, iso(deadline), extended, max(0.0, seconds), fraction,
                     terms.policy.text, reason)


def _span(seconds: float) -> str:
    delta = timedelta(seconds=round(seconds))
    days, rest = delta.days, delta.seconds
    parts = [f"{days} d"] if days else []
    parts += [f"{rest // 3600} h", f"{rest % 3600 // 60} min"] if rest >= 60 or not days else []
    return " ".join(parts) if rest >= 60 or days else f"{rest} s"


def class_late_facts(terms: LateTerms, sources: list[tuple[str, Path]]) -> dict[str, LateFacts]:
    """Every student's lateness; `sources` are (student id, folder or archive) as intake finds them
    (a student found twice is timed by the first copy, the one intake grades)."""
    first: dict[str, Path] = {}
    for student, path in sources:
        first.setdefault(student, path)
    return {student: late_facts(student, submission_time(student, path, terms), terms) for student, path in first.items()}


def prepare_lateness(out: Path, inputs: list[Path], exercises: list, terms: LateTerms | None,
                     roster_ids: set[str] | frozenset[str] = frozenset()) -> dict[str, LateFacts] | None:
    """Check the terms against the class and record every student's lateness in OUT/late.json, before
    any grading; TermsError on the first problem. Without `terms` the gradebook's recorded terms (from
    an earlier run with `--deadline`) apply again, to the current files; with neither, None.

    The class is the students found under `inputs`, the roster's, and those the gradebook already
    holds (a run on one student's folder re-grades that student only). Students the gradebook holds
    but `inputs` do not keep their recorded submission time, judged again under the current terms."""
    from grader.grade.intake import student_sources
    from grader.grade.records import student_records

    terms = terms or recorded_terms(out)
    if terms is None:
        return None
    sources = [pair for path in inputs for pair in student_sources(Path(path), exercises)]
    try:
        earlier = (read_late_facts(out) or {}).get("students", {})
    except (OSError, ValueError, AttributeError):  # unreadable: written afresh below
        earlier = {}
    held = {r["student"] for r in student_records(out)} if (out / "students").is_dir() else set()
    check_class(terms, {student for student, _ in sources} | set(roster_ids) | set(earlier) | held)
    facts = class_late_facts(terms, sources)
    for student, old in earlier.items():
        if student not in facts:
            when = datetime.fromisoformat(old["submitted_at"]) if old.get("submitted_at") else None
            facts[student] = late_facts(student, SubmissionTime(when, old["source"]), terms)
    write_late_facts(out, terms, facts)
    return facts


def forget_terms(out: Path) -> None:
    """Drop the gradebook's deadline (`--deadline none`): no lateness is recorded or applied any more."""
    (out / LATE_FILE).unlink(missing_ok=True)


def recorded_terms(out: Path) -> LateTerms | None:
    """The terms recorded in OUT/late.json by an earlier run, or None."""
    try:
        data = read_late_facts(out)
        if data is None:
            return None
        return LateTerms(deadline=datetime.fromisoformat(data["deadline"]), policy=parse_policy(data["policy"]),
                         extensions={s: datetime.fromisoformat(d) for s, d in data["extensions"].items()},
                         submitted={s: datetime.fromisoformat(d) for s, d in data.get("submitted", {}).items()},
                         submissions_csv=data.get("submissions_csv"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise TermsError(f"{out / LATE_FILE} (the deadline terms of an earlier run) cannot be read; give --deadline "
                         "and the other terms again, or --deadline none") from None


def write_late_facts(out: Path, terms: LateTerms, facts: dict[str, LateFacts]) -> None:
    """Record the terms and each student's lateness in OUT/late.json for the gradebook."""
    write_json_atomic(out / LATE_FILE, {
        "deadline": iso(terms.deadline), "policy": terms.policy.text,
        "extensions": {s: iso(d) for s, d in sorted(terms.extensions.items())},
        "submitted": {s: d.isoformat() for s, d in sorted(terms.submitted.items())},
        "submissions_csv": terms.submissions_csv,
        "students": {s: asdict(f) for s, f in sorted(facts.items())}})


def read_late_facts(out: Path) -> dict[str, Any] | None:
    """OUT/late.json as written by `write_late_facts`, or None when the class has no deadline."""
    import json

    path = out / LATE_FILE
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def apply_late(record: dict[str, Any], facts: dict[str, Any] | None) -> dict[str, Any]:
    """The gradebook's view of a student record under its late facts (a dict of `LateFacts`): the
    record's `total` becomes the final score; `raw_total`, `late_penalty` and `late` keep the rest.
    Without facts (no deadline, or a student missing from them) the record is unchanged."""
    if facts is None:
        return record
    raw = record["total"]
    penalty = round(raw * facts["penalty_fraction"], 4)
    return {**record, "raw_total": raw, "late_penalty": penalty, "total": round(raw - penalty, 4),
            "late": {**facts, "exercise_points": {
                e: round(x["points"] * (1 - facts["penalty_fraction"]), 4) for e, x in record["exercises"].items()}}}
