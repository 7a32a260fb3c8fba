"""The class report's figures as data: what `report.json` holds and `report.html` is rendered from.

`build_report(records, gradebook)` reads the student records and the header of `grades.json` (course,
exercises, dataset, generated_at, unverified_records) and returns a `ClassReport`:

- class size and the students' statuses; the distribution of totals;
- per exercise: the distribution of points (every student in the gradebook, a missing exercise as 0
  points, as in `grades.csv`), the count of each exercise status (graded, not submitted, crashed, timed
  out, grader error, …), the time the student's code and the checks took (median, p90), the pass rate
  of each check and the most common first failure messages;
- every check of the class ranked by pass rate, the checks most students fail first.

A check's pass rate counts only the students whose exercise was graded (the checks ran on their code);
not submitted, crashed or timed out are counted in the statuses instead. The first failure of a
student is the message of the first failed check of an exercise graded, normalised by
`normalise_failure` (its docstring states the rule) so that values particular to one student do not
split a mistake the class shares.

`write_report(out, records, gradebook)` writes `OUT/report.json` and `OUT/report.html`.
Nothing here imports matplotlib until the HTML is drawn (grader.export.plots).
"""

from __future__ import annotations

import json
import math
import re
import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from grader.manifest import points_number
from grader.results import printable, write_json_atomic, write_text_atomic

REPORT_JSON = "report.json"
REPORT_HTML = "report.html"
GRADED = "graded"  # the status of an exercise whose checks ran on the student's code
# the exercise statuses every report shows a column for, in this order; others seen follow them
MAIN_STATUSES = (GRADED, "not submitted", "crashed", "timed out", "grader error")
TOP_FAILURES = 5  # most common first failure messages shown per exercise
MAX_EXAMPLE_CHARS = 600  # an example failure message is cut here (messages can quote student code)
NO_RESULT = "no result"  # a student whose record has no entry for an exercise (graded by a run without it)
INTEGER_BINS_UP_TO = 30  # scores of at most this many points are binned one bar per point

MESSAGE_RULE = (
    "A failure message is grouped by its first line (the summary; the expected/got/why/hint lines carry one "
    "student's values), with numbers that have a fractional part or an exponent (accuracies, seconds, losses) "
    "replaced by #, hexadecimal addresses by 0x#, the numeric suffix Keras adds to automatic names "
    "(dense_3, sequential_12) by _#, file paths by <path>, and runs of whitespace folded. Whole numbers stay: "
    "they are the shapes, counts and positions that tell one mistake from another."
)
_FLOAT = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d+(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+)(?!\w|\.\d)")
_HEX = re.compile(r"\b0x[0-9a-fA-F]+\b")
_AUTO_NAME = re.compile(r"\b([A-Za-z][A-Za-z0-9]*(?:_[A-Za-z][A-Za-z0-9]*)*)_\d+\b")
_PATH = re.compile(r"(?<![\w.])(?:/[\w.+-]+){2,}/?")
_SPACE = re.compile(r"\s+")


def normalise_failure(message: str) -> str:
    """The group a failure message belongs to; the rule is MESSAGE_RULE (stated in the report too)."""
    lines = [line for line in message.strip().splitlines() if line.strip()]
    text = lines[0] if lines else "(no message)"
    text = _PATH.sub("<path>", text)
    text = _HEX.sub("0x#", text)
    text = _AUTO_NAME.sub(r"\1_#", text)
    text = _FLOAT.sub("#", text)
    return _SPACE.sub(" ", text).strip()


@dataclass(frozen=True)
class Bin:
    """One bar of a histogram: the scores in [low, high] (`high` included in the last bar only, unless
    low == high: one bar per point value); `label` is how the bar is named in the table and plot."""

    low: float
    high: float
    label: str
    count: int


@dataclass(frozen=True)
class Distribution:
    """Scores out of `max_points` of `count` students (no figures but the bins for an empty class)."""

    max_points: float
    count: int
    mean: float | None
    median: float | None
    minimum: float | None
    maximum: float | None
    bins: list[Bin]


@dataclass(frozen=True)
class Timing:
    """Seconds over the `count` exercises that have a time; None when none has."""

    count: int
    median_s: float | None
    p90_s: float | None


@dataclass(frozen=True)
class CheckRate:
    """How many of the students whose exercise was graded (`attempted`) passed one check."""

    exercise: str
    check: str
    hidden: bool
    attempted: int
    passed: int
    pass_rate: float | None  # passed / attempted; None when nobody's exercise was graded


@dataclass(frozen=True)
class CommonFailure:
    """A normalised first failure message, how many students it stopped first, and one real instance."""

    check: str
    message: str
    count: int
    example: str


@dataclass(frozen=True)
class ExerciseReport:
    id: str
    title: str
    max_points: float
    scores: Distribution
    statuses: dict[str, int]  # exercise status → students
    students_by_status: dict[str, list[str]]  # every status but "graded" → the students' ids, sorted
    student_seconds: Timing  # the student's code answering the grader's probes
    check_seconds: Timing  # the checks judging those answers
    checks: list[CheckRate]  # in the exercise's own order
    first_failures: list[CommonFailure]  # most common first, at most TOP_FAILURES
    failed_graded: int  # students graded with at least one failed check (the first failures' denominator)


@dataclass(frozen=True)
class ClassReport:
    course: str
    generated_at: str
    dataset: str
    class_size: int
    student_statuses: dict[str, int]
    unverified_records: int
    totals: Distribution
    exercises: list[ExerciseReport]
    checks_ranked: list[CheckRate]  # lowest pass rate first; checks nobody was graded on last
    status_columns: list[str]  # the exercise statuses with a column, MAIN_STATUSES first
    message_rule: str = MESSAGE_RULE
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0–100) of `values`, interpolated linearly between ranks; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def distribution(scores: list[float], max_points: float) -> Distribution:
    """The histogram and summary of `scores` out of `max_points`: one bar per point value when every score
    is a whole number and max_points ≤ INTEGER_BINS_UP_TO, else ten equal bars over [0, max_points]."""
    top = max([max_points, *scores]) if scores or max_points else 0.0
    whole = all(float(s).is_integer() for s in scores) and float(top).is_integer()
    if whole and top <= INTEGER_BINS_UP_TO:
        counts = Counter(int(s) for s in scores)
        bins = [Bin(k, k, str(k), counts.get(k, 0)) for k in range(int(top) + 1)]
    else:
        width = top / 10
        edges = [round(width * i, 6) for i in range(11)]
        counts = Counter(min(int(s / width), 9) if width else 0 for s in scores)
        bins = [Bin(edges[i], edges[i + 1], f"{points_number(edges[i])}–{points_number(edges[i + 1])}", counts.get(i, 0))
                for i in range(10)]
    if not scores:
        return Distribution(top, 0, None, None, None, None, bins)
    return Distribution(top, len(scores), round(statistics.fmean(scores), 3), statistics.median(scores),
                        min(scores), max(scores), bins)


def _timing(values: list[float]) -> Timing:
    if not values:
        return Timing(0, None, None)
    return Timing(len(values), round(statistics.median(values), 3), round(percentile(values, 90), 3))


def _exercise_ids(records: list[dict[str, Any]], gradebook: dict[str, Any]) -> list[str]:
    """The exercises grades.csv has columns for (the rule of grader.export.gradebook.write_gradebook): those
    graded in some record, or all the course's."""
    return sorted({e for r in records for e in r["exercises"]}) or sorted(gradebook.get("exercises", {}))


def _exercise_report(exercise_id: str, records: list[dict[str, Any]], meta: dict[str, Any]) -> ExerciseReport:
    entries = [r["exercises"].get(exercise_id) for r in records]
    seen = [e for e in entries if e is not None]
    max_points = meta.get("max_points", max((e["max_points"] for e in seen), default=0))
    title = meta.get("title") or next((e["title"] for e in seen), exercise_id)
    scores = [float(e["points"]) if e else 0.0 for e in entries]
    statuses = Counter(e["status"] if e else NO_RESULT for e in entries)
    by_status: dict[str, list[str]] = {}
    for record, entry in zip(records, entries, strict=True):
        status = entry["status"] if entry else NO_RESULT
        if status != GRADED:
            by_status.setdefault(status, []).append(str(record["student"]))
    graded = [e for e in seen if e["status"] == GRADED]
    order: dict[str, bool] = {}
    for entry in seen:
        for check in entry["checks"]:
            order.setdefault(check["name"], bool(check["hidden"]))
    passed, attempted = Counter(), Counter()
    for entry in graded:
        for check in entry["checks"]:
            attempted[check["name"]] += 1
            passed[check["name"]] += check["outcome"] == "passed"
    checks = [CheckRate(exercise_id, name, hidden, attempted[name], passed[name],
                        round(passed[name] / attempted[name], 4) if attempted[name] else None)
              for name, hidden in order.items()]
    firsts: dict[str, list[tuple[str, str]]] = {}
    for entry in graded:
        failed = next((c for c in entry["checks"] if c["outcome"] != "passed"), None)
        if failed is not None:
            message = str(failed.get("message") or "")
            firsts.setdefault(normalise_failure(message), []).append((failed["name"], message))
    ranked = sorted(firsts.items(), key=lambda item: (-len(item[1]), item[0]))[:TOP_FAILURES]
    first_failures = [CommonFailure(Counter(name for name, _ in found).most_common(1)[0][0], message, len(found),
                                    found[0][1][:MAX_EXAMPLE_CHARS]) for message, found in ranked]
    return ExerciseReport(
        id=exercise_id, title=title, max_points=max_points, scores=distribution(scores, max_points),
        statuses=dict(sorted(statuses.items(), key=lambda item: _status_order(item[0]))),
        students_by_status={s: sorted(ids) for s, ids in sorted(by_status.items(), key=lambda i: _status_order(i[0]))},
        student_seconds=_timing([e["seconds"] for e in seen if e.get("seconds") is not None]),
        check_seconds=_timing([e["check_seconds"] for e in seen if e.get("check_seconds") is not None]),
        checks=checks, first_failures=first_failures, failed_graded=sum(len(found) for found in firsts.values()))


def _status_order(status: str) -> tuple[int, str]:
    return (MAIN_STATUSES.index(status) if status in MAIN_STATUSES else len(MAIN_STATUSES), status)


def build_report(records: list[dict[str, Any]], gradebook: dict[str, Any]) -> ClassReport:
    """The class report of `records` (grades.json's "students") with `gradebook`, grades.json's header."""
    meta = gradebook.get("exercises", {})
    exercises = [_exercise_report(i, records, meta.get(i, {})) for i in _exercise_ids(records, gradebook)]
    max_total = max([r["max_total"] for r in records] or [sum(e.max_points for e in exercises)])
    ranked = sorted((c for e in exercises for c in e.checks),
                    key=lambda c: (c.pass_rate is None, c.pass_rate if c.pass_rate is not None else 0.0,
                                   -c.attempted, c.exercise))
    seen = {s for e in exercises for s in e.statuses}
    unverified = gradebook.get("unverified_records") or []
    notes = []
    if unverified:
        notes.append(f"{len(unverified)} student record file(s) did not verify and are left out of this report "
                     "(see grades.json's unverified_records).")
    return ClassReport(
        course=str(gradebook.get("course", "")), generated_at=str(gradebook.get("generated_at", "")),
        dataset=str((gradebook.get("dataset") or {}).get("description", "")), class_size=len(records),
        student_statuses=dict(Counter(str(r["status"]) for r in records).most_common()),
        unverified_records=len(unverified), totals=distribution([float(r["total"]) for r in records], max_total),
        exercises=exercises, checks_ranked=ranked,
        status_columns=sorted(set(MAIN_STATUSES) | seen, key=_status_order), notes=notes)


def write_report(out: Path, records: list[dict[str, Any]], gradebook: dict[str, Any]) -> Path:
    """Write OUT/report.json and OUT/report.html (rendered from the same figures); return the HTML's path."""
    from grader.export.report_html import render_report

    report = build_report(records, gradebook)
    write_json_atomic(out / REPORT_JSON, report.as_dict())
    write_text_atomic(out / REPORT_HTML, printable(render_report(report)))
    return out / REPORT_HTML


class GradebookError(Exception):
    """A folder that holds no readable grades.json, in words an instructor can act on."""


def rebuild_report(gradebook_dir: Path) -> Path:
    """Rebuild the report of an existing gradebook folder from its grades.json (no grading)."""
    path = gradebook_dir / "grades.json"
    try:
        gradebook = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GradebookError(f"{gradebook_dir} has no grades.json: is it the --out folder of `course grade`?") from None
    except (OSError, ValueError) as error:
        raise GradebookError(f"{path} could not be read ({type(error).__name__}: {error})") from None
    if not isinstance(gradebook, dict) or not isinstance(gradebook.get("students"), list):
        raise GradebookError(f"{path} is not a gradebook written by `course grade` (no list of students)")
    return write_report(gradebook_dir, gradebook["students"], gradebook)
