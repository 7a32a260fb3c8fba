"""The gradebook and everything derived from the per-student results in `OUT/students/`.

- `grades.csv`: one row per student — per-exercise points, total, status (what an LMS import takes);
  a cell that a spreadsheet would read as a formula (`=`, `+`, `-`, `@`) starts with `'`;
- `grades.json`: everything, with the dataset, seed, versions, isolation and timings;
- `feedback/<student>.md` and `.html`: public checks' messages and hints; hidden checks anonymous;
- `gradescope/<student>/results.json`: Gradescope's results format;
- `canvas.csv` and `moodle.csv`: the LMS imports (grader.export.canvas, grader.export.moodle),
  mapped through the roster when one is given (grader.export.roster).

With a deadline (grader.grade.deadlines, `OUT/late.json`), every `total` is the final score after the
late penalty; grades.csv adds `raw_total`, `late_penalty`, `submitted_at`, `time_source` and
`late_reason`, grades.json a `late` field per student, and the feedback says why.
- `report.html` and `report.json`: the class report (grader.export.report).

`<student>` in a file name is `grader.grade.intake.student_file_name(id)`; the records keep the id.

All of it is rebuilt from the student files, so it is the same whether the run was interrupted or not.
"""

from __future__ import annotations

import csv
import html
import io
import json
import platform
import time
from pathlib import Path
from typing import Any

from grader.export.report import write_report
from grader.export.roster import Roster
from grader.grade.intake import student_file_name
from grader.manifest import Course, check_label, hidden_check_label
from grader.results import write_json_atomic, write_text_atomic


def student_records(out: Path) -> list[dict[str, Any]]:
    """The verified records in OUT/students, by student id (see grader.grade.signing)."""
    return _read_records(out)[0]


def _read_records(out: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """The verified records, and the names of the record files that did not verify."""
    from grader.grade.signing import verified

    records, unverified = [], []
    for path in sorted((out / "students").glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            record = None
        if verified(record):
            records.append(record)
        else:
            unverified.append(path.name)
    return sorted(records, key=lambda r: str(r["student"])), unverified


def versions() -> dict[str, str]:
    import importlib.metadata as md

    found = {"python": platform.python_version()}
    for package in ("keras-course", "tensorflow-cpu", "tensorflow", "keras", "numpy", "scikit-learn"):
        try:
            found[package] = md.version(package)
        except md.PackageNotFoundError:
            pass
    return found


def write_gradebook(out: Path, course: Course, roster: Roster | None = None) -> None:
    from grader.datasets import chosen_dataset_name, load_dataset
    from grader.export.canvas import write_canvas
    from grader.export.moodle import write_moodle
    from grader.grade.deadlines import apply_late, read_late_facts
    from grader.grade.sandbox import describe

    records, unverified = _read_records(out)
    late = read_late_facts(out)
    records = [apply_late(r, late["students"].get(r["student"])) if late else r for r in records]
    ids = sorted({e for r in records for e in r["exercises"]}) or [e.id for e in course.exercises]
    names = {e.id: e.stem for e in course.exercises}  # a removed one: its id (old records)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    late_columns = ["raw_total", "late_penalty", "submitted_at", "time_source", "late_reason"] if late else []
    writer.writerow(["student", *[names.get(i, i) for i in ids], "total", "max_total", "status", *late_columns])
    for record in records:
        statuses = sorted({x["status"] for x in record["exercises"].values()} - {"graded", record["status"]})
        facts = record.get("late") or {}
        late_cells = [_fmt(record.get("raw_total", record["total"])), _fmt(record.get("late_penalty", 0)),
                      facts.get("submitted_at") or "", facts.get("source", ""),
                      facts.get("reason", NOT_TIMED)] if late else []
        writer.writerow([csv_cell(cell) for cell in (
            record["student"], *[_fmt(record["exercises"].get(i, {}).get("points", 0)) for i in ids],
            _fmt(record["total"]), _fmt(record["max_total"]),
            record["status"] + (f" ({', '.join(statuses)})" if statuses else ""), *late_cells)])
    write_text_atomic(out / "grades.csv", buffer.getvalue())
    from grader.grade.grade import stored_split_key

    dataset = load_dataset(chosen_dataset_name(), stored_split_key(out)).summary  # the split batch grading used
    gradebook = {
        "course": course.title, "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seed": course.seed, "dataset": dataset, "versions": versions(), "isolation": describe(),
        "exercises": {e.id: {"slug": e.slug, "title": e.title, "max_points": e.max_points,
                             "time_budget_s": e.time_budget_s, "thresholds": e.thresholds} for e in course.exercises},
        "students": records, "unverified_records": unverified,
        "late_terms": {k: v for k, v in late.items() if k != "students"} if late else None,
        "not_on_roster": roster.missing([r["student"] for r in records]) if roster else [],
    }
    write_json_atomic(out / "grades.json", gradebook)
    write_canvas(out, records, course, roster)
    write_moodle(out, records, course, roster)
    for record in records:
        name = student_file_name(record["student"])
        write_text_atomic(out / "feedback" / f"{name}.md", feedback_markdown(record, dataset))
        write_text_atomic(out / "feedback" / f"{name}.html", feedback_html(record, dataset))
        write_json_atomic(out / "gradescope" / name / "results.json", gradescope_results(record))
    write_report(out, records, gradebook)


NOT_TIMED = "not among this run's submissions: lateness not judged"  # a record kept from an earlier run
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet reads as the start of a formula


def csv_cell(text: str) -> str:
    """`text` as a CSV cell no spreadsheet evaluates: a leading `'` before `= + - @`, tab or CR (OWASP)."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def late_summary(record: dict[str, Any]) -> str:
    """One line for the feedback: the submission's lateness, and the raw score, penalty and final score."""
    late = record["late"]
    source = f" (time from {late['source']})" if late["submitted_at"] else ""
    return (f"Submission: {late['reason']}{source}. Raw score {_fmt(record['raw_total'])}, late penalty "
            f"{_fmt(record['late_penalty'])}, final score {_fmt(record['total'])}.")


def _fmt(value: float) -> str:
    return f"{value:g}"


def _label(check: dict[str, Any], hidden_number: int) -> str:
    return hidden_check_label(hidden_number) if check["hidden"] else check_label(check["name"])


def learner_view(exercise: dict[str, Any]) -> list[dict[str, Any]]:
    """The checks of one exercise as a learner may see them: hidden ones anonymous and silent."""
    view, hidden = [], 0
    for check in exercise["checks"]:
        hidden += check["hidden"]
        view.append({"label": _label(check, hidden), "passed": check["outcome"] == "passed",
                     "points": check["points"], "max_points": check["max_points"], "hidden": check["hidden"],
                     "message": "" if check["hidden"] else check.get("message", ""),
                     "notes": [] if check["hidden"] else check.get("notes", [])})
    return view


def feedback_markdown(record: dict[str, Any], dataset: dict[str, Any]) -> str:
    lines = [f"# Feedback for {record['student']}", "",
             f"**Total: {_fmt(record['total'])} / {_fmt(record['max_total'])} points**", ""]
    for problem in record.get("problems", []):
        lines += [f"> Note: {problem}", ""]
    if record.get("late"):
        lines += [f"> {late_summary(record)}", ""]
    for exercise_id, exercise in sorted(record["exercises"].items()):
        lines += [f"## Exercise {int(exercise_id)} — {exercise['title']}: {_fmt(exercise['points'])} / "
                  f"{_fmt(exercise['max_points'])}", ""]
        if exercise["status"] != "graded":
            lines += [f"**{exercise['status']}**" + (f": {exercise['reason']}" if exercise.get("reason") else ""), ""]
        notes: list[str] = []
        for check in learner_view(exercise):
            mark = "✓" if check["passed"] else "✗"
            lines.append(f"- {mark} {check['label']} ({_fmt(check['points'])}/{_fmt(check['max_points'])})")
            if not check["passed"] and check["message"] and exercise["status"] == "graded":
                lines += ["", "  ```text", *["  " + line for line in check["message"].splitlines()], "  ```", ""]
            notes += [n for n in check["notes"] if n not in notes]
        lines += [""] + [f"*Note: {n}*" for n in notes] + ([""] if notes else [])
    lines += ["---", f"Data: {dataset['description']}."]
    return "\n".join(lines) + "\n"


def feedback_html(record: dict[str, Any], dataset: dict[str, Any]) -> str:
    """The same feedback as HTML; every piece of text is escaped (messages can quote student code)."""
    e = html.escape
    parts = [f"<h1>Feedback for {e(record['student'])}</h1>",
             f"<p><strong>Total: {_fmt(record['total'])} / {_fmt(record['max_total'])} points</strong></p>"]
    parts += [f"<blockquote>Note: {e(p)}</blockquote>" for p in record.get("problems", [])]
    if record.get("late"):
        parts.append(f"<blockquote>{e(late_summary(record))}</blockquote>")
    for exercise_id, exercise in sorted(record["exercises"].items()):
        parts.append(f"<h2>Exercise {int(exercise_id)} — {e(exercise['title'])}: {_fmt(exercise['points'])} / "
                     f"{_fmt(exercise['max_points'])}</h2>")
        if exercise["status"] != "graded":
            parts.append(f"<p><strong>{e(exercise['status'])}</strong>"
                         + (f": {e(exercise['reason'])}" if exercise.get("reason") else "") + "</p>")
        items, notes = [], []
        for check in learner_view(exercise):
            mark = "✓" if check["passed"] else "✗"
            item = f"{mark} {e(check['label'])} ({_fmt(check['points'])}/{_fmt(check['max_points'])})"
            if not check["passed"] and check["message"] and exercise["status"] == "graded":
                item += f"<pre>{e(check['message'])}</pre>"
            items.append(f"<li>{item}</li>")
            notes += [n for n in check["notes"] if n not in notes]
        parts.append("<ul>" + "".join(items) + "</ul>")
        parts += [f"<p><em>Note: {e(n)}</em></p>" for n in notes]
    parts.append(f"<hr><p>Data: {e(dataset['description'])}.</p>")
    title = e(f"Feedback for {record['student']}")
    return (f"<!doctype html><html lang=en><meta charset=utf-8><title>{title}</title>"
            "<style>body{font-family:sans-serif;max-width:50rem;margin:2rem auto;line-height:1.5}"
            "pre{background:#f4f4f4;padding:.6rem;overflow-x:auto;white-space:pre-wrap}</style><body>"
            + "\n".join(parts) + "</body></html>\n")


def gradescope_results(record: dict[str, Any]) -> dict[str, Any]:
    """Gradescope's `results.json`: score, and a test per check with max_score, status, visibility."""
    tests = []
    for exercise_id, exercise in sorted(record["exercises"].items()):
        for check in learner_view(exercise):
            output = check["message"] if not check["passed"] else ""
            if exercise["status"] != "graded":
                output = f"{exercise['status']}: {exercise.get('reason') or ''}"
            if check["hidden"]:
                output = f"{check['label']}: {'passed' if check['passed'] else 'failed'}"
            tests.append({
                "name": f"Exercise {int(exercise_id)} — {check['label']}",
                "score": check["points"], "max_score": check["max_points"],
                "status": "passed" if check["passed"] else "failed",
                "visibility": "after_published" if check["hidden"] else "visible",
                "output": output,
            })
    return {"score": record["total"], "visibility": "visible", "stdout_visibility": "hidden", "tests": tests}
