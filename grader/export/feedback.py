"""`feedback/<student>.md` and `.html`: public checks' messages and hints; hidden checks anonymous and
silent (`learner_view`, which the Gradescope results use too)."""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.manifest import check_label, hidden_check_label, points_number
from grader.results import printable, write_text_atomic
from grader.students import student_file_name

if TYPE_CHECKING:
    from grader.export.gradebook import Gradebook


def write_feedback(out: Path, records: list[dict[str, Any]], book: Gradebook) -> Path:
    """OUT/feedback/<student>.md and .html for every record; returns the folder."""
    for record in records:
        name = student_file_name(record["student"])
        write_text_atomic(out / "feedback" / f"{name}.md", printable(feedback_markdown(record, book.dataset)))
        write_text_atomic(out / "feedback" / f"{name}.html", printable(feedback_html(record, book.dataset)))
    return out / "feedback"


def late_summary(record: dict[str, Any]) -> str:
    """One line for the feedback: the submission's lateness, and the raw score, penalty and final score."""
    late = record["late"]
    source = f" (time from {late['source']})" if late["submitted_at"] else ""
    return (f"Submission: {late['reason']}{source}. Raw score {points_number(record['raw_total'])}, late penalty "
            f"{points_number(record['late_penalty'])}, final score {points_number(record['total'])}.")


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
             f"**Total: {points_number(record['total'])} / {points_number(record['max_total'])} points**", ""]
    for problem in record.get("problems", []):
        lines += [f"> Note: {problem}", ""]
    if record.get("late"):
        lines += [f"> {late_summary(record)}", ""]
    for exercise_id, exercise in sorted(record["exercises"].items()):
        lines += [f"## Exercise {int(exercise_id)} — {exercise['title']}: {points_number(exercise['points'])} / "
                  f"{points_number(exercise['max_points'])}", ""]
        if exercise["status"] != "graded":
            lines += [f"**{exercise['status']}**" + (f": {exercise['reason']}" if exercise.get("reason") else ""), ""]
        notes: list[str] = []
        for check in learner_view(exercise):
            mark = "✓" if check["passed"] else "✗"
            lines.append(f"- {mark} {check['label']} ({points_number(check['points'])}/{points_number(check['max_points'])})")
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
             f"<p><strong>Total: {points_number(record['total'])} / {points_number(record['max_total'])} points</strong></p>"]
    parts += [f"<blockquote>Note: {e(p)}</blockquote>" for p in record.get("problems", [])]
    if record.get("late"):
        parts.append(f"<blockquote>{e(late_summary(record))}</blockquote>")
    for exercise_id, exercise in sorted(record["exercises"].items()):
        parts.append(f"<h2>Exercise {int(exercise_id)} — {e(exercise['title'])}: {points_number(exercise['points'])} / "
                     f"{points_number(exercise['max_points'])}</h2>")
        if exercise["status"] != "graded":
            parts.append(f"<p><strong>{e(exercise['status'])}</strong>"
                         + (f": {e(exercise['reason'])}" if exercise.get("reason") else "") + "</p>")
        items, notes = [], []
        for check in learner_view(exercise):
            mark = "✓" if check["passed"] else "✗"
            item = f"{mark} {e(check['label'])} ({points_number(check['points'])}/{points_number(check['max_points'])})"
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
