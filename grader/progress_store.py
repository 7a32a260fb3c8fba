"""The learner's progress: the last result of each exercise, kept in `.course/progress.json`.

`course check` records results; `course list` reads them, and marks a result stale when the
exercise file changed after it was checked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from grader.results import write_json_atomic

STATE_DIR = ".course"


def _state_file(root: Path) -> Path:
    return root / STATE_DIR / "progress.json"


def load_progress(root: Path) -> dict[str, Any]:
    try:
        return json.loads(_state_file(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def record(root: Path, results: list) -> None:
    """Store each ExerciseResult under the resolved path of the file it checked."""
    state = load_progress(root)
    for result in results:
        path = Path(result.path)
        state[str(path)] = {
            "exercise": result.exercise,
            "passed": result.passed,
            "points": result.points,
            "max_points": result.max_points,
            "mtime": path.stat().st_mtime if path.exists() else None,
        }
    write_json_atomic(_state_file(root), state)


def status_of(state: dict[str, Any], path: Path) -> dict[str, Any] | None:
    """The stored result for `path`, with `stale` set when the file changed since."""
    entry = state.get(str(Path(path).resolve()))
    if entry is None:
        return None
    mtime = Path(path).stat().st_mtime if Path(path).exists() else None
    return {**entry, "stale": mtime != entry.get("mtime")}
