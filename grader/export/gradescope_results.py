"""`gradescope/<student>/results.json`: Gradescope's results format (a test per check; hidden checks
anonymous, visible after publishing)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.export.feedback import learner_view
from grader.results import write_json_atomic
from grader.students import student_file_name

if TYPE_CHECKING:
    from grader.export.gradebook import Gradebook


def write_gradescope_results(out: Path, records: list[dict[str, Any]], book: Gradebook) -> Path:
    """OUT/gradescope/<student>/results.json for every record; returns the folder."""
    for record in records:
        write_json_atomic(out / "gradescope" / student_file_name(record["student"]) / "results.json",
                          gradescope_results(record))
    return out / "gradescope"


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
