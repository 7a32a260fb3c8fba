"""`grades.json`: everything — the records, with the dataset, seed, versions, isolation and timings."""

from __future__ import annotations

import platform
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.results import write_json_atomic

if TYPE_CHECKING:
    from grader.export.gradebook import Gradebook


def versions() -> dict[str, str]:
    import importlib.metadata as md

    found = {"python": platform.python_version()}
    for package in ("keras-course", "tensorflow-cpu", "tensorflow", "keras", "numpy", "scikit-learn"):
        try:
            found[package] = md.version(package)
        except md.PackageNotFoundError:
            pass
    return found


def write_grades_json(out: Path, records: list[dict[str, Any]], book: Gradebook) -> Path:
    """OUT/grades.json: the course, when, the seed, dataset, versions and isolation, every exercise's
    limits, the student records, and the record files that did not verify."""
    course = book.course
    path = out / "grades.json"
    write_json_atomic(path, {
        "course": course.title, "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seed": course.seed, "dataset": book.dataset, "versions": versions(), "isolation": book.isolation,
        "exercises": {e.id: {"slug": e.slug, "title": e.title, "max_points": e.max_points,
                             "time_budget_s": e.time_budget_s, "thresholds": e.thresholds} for e in course.exercises},
        "students": records, "unverified_records": book.unverified,
        "late_terms": book.late_terms,
        "not_on_roster": book.roster.missing([r["student"] for r in records]) if book.roster else [],
    })
    return path
