"""Check results, and writing results files safely (atomic replace: a killed run never leaves a
half-written file)."""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grader.manifest import Exercise


# A terminal's control sequences (CSI with its 8-bit form, OSC up to BEL or ST, DCS/SOS/PM/APC strings, any other
# ESC pair) and every other control character but tab, newline and (in `keep`) carriage return.
_SEQUENCES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
                        r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?|\x1b.?", re.S)
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def printable(text: str, keep_returns: bool = False) -> str:
    """`text` without terminal control sequences or control characters (tabs and newlines stay; carriage
    returns only with `keep_returns`). Text a submission wrote (an exception's message, a layer's name)
    reaches feedback files an instructor may `cat` in a terminal: a window title, a cleared screen or a
    clipboard written with OSC 52 must not come with it."""
    cleaned = _CONTROLS.sub("", _SEQUENCES.sub("", text))
    return cleaned if keep_returns else cleaned.replace("\r", "")


@dataclass
class CheckResult:
    """The outcome of one check, as the results file, the CLI and the gradebook report it."""

    exercise: str
    name: str
    outcome: str  # "passed" | "failed"
    points: float
    max_points: float
    hidden: bool
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    duration_s: float = 0.0

    def __post_init__(self) -> None:
        self.message = printable(self.message)
        self.notes = [printable(note) for note in self.notes]

    def to_dict(self) -> dict[str, Any]:
        """Every field (the `--course-results` file)."""
        return asdict(self)

    def gradebook_entry(self) -> dict[str, Any]:
        """The check as a student record keeps it (grades.json, OUT/students/*.json)."""
        return {"name": self.name, "outcome": self.outcome, "points": self.points, "max_points": self.max_points,
                "hidden": self.hidden, "message": self.message, "notes": self.notes}


def failed_checks(exercise: Exercise, message: str) -> list[CheckResult]:
    """Every check of `exercise` failed with `message`, for 0 points: an exercise whose checks could not
    run on the learner's answers (not submitted, did not load, timed out, the grader failed …)."""
    from grader.checkfiles import check_names

    hidden = check_names(exercise.hidden_checks)
    return [CheckResult(exercise.id, name, "failed", 0.0, points, name in hidden, message)
            for name, points in exercise.points.items()]


def write_json_atomic(path: Path, data: Any) -> None:
    """Write `data` as JSON to `path` via a temporary file and `os.replace` (atomic on POSIX)."""
    write_text_atomic(path, json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")


def write_text_atomic(path: Path, text: str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
