"""`course submit`: the learner's work as one archive that `course grade` takes as one student.

`chosen_files` picks, for each exercise, the file the learner worked on: `exercises/NN_slug.py`, or
its paired notebook `notebooks/NN_slug.ipynb` when the notebook is the newer of the two (edited in
Jupyter and not synced back; jupytext's own rule: the newer file wins). `write_submission` refuses
when no file differs from its stub, checks every exercise once (the public checks, as `course check`
does, recording progress), and writes `STUDENT.zip`: the chosen files at the top level under the
names batch grading looks for, and `submission.json` (see `SubmissionRecord`).

The student id is the archive's name, because that is how batch grading names a student; it must
match batch intake's `STUDENT_ID`. The learner's clock time is recorded as the learner's claim
only: the time a submission counts as handed in is when the instructor receives it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path

from grader.learner.commands import check, pristine_stub
from grader.manifest import Exercise, load_course
from grader.progress_store import STATE_DIR
from grader.runner import ExerciseResult
from grader.students import STUDENT_ID

RECORD_NAME = "submission.json"
ARCHIVE_SUFFIX = ".zip"
DISTRIBUTION = "keras-course"  # the package name in pyproject.toml, whose version is the course's
CLOCK_NOTE = "the learner's own clock when the archive was written: a claim, never the submission time"


class SubmitRefused(ValueError):
    """Nothing was written; the message says why in the learner's terms and what to do."""


@dataclass(frozen=True)
class ChosenFile:
    """The file handed in for one exercise, and whether it differs from the exercise's stub."""

    exercise: Exercise
    path: Path
    changed: bool


@dataclass(frozen=True)
class HandedIn:
    """One exercise in the archive: its file, the file's hash and its local result."""

    exercise: str
    file: str
    sha256: str
    changed: bool
    points: float
    max_points: float
    passed: bool


@dataclass
class SubmissionRecord:
    """What `submission.json` holds. `learner_clock` is the learner's claim (`CLOCK_NOTE`)."""

    student: str
    course: str
    course_version: str
    exercises: list[HandedIn]
    learner_clock: str
    learner_clock_note: str = CLOCK_NOTE
    archive: Path = field(default=Path())  # where it was written; not part of the JSON

    @property
    def failing(self) -> list[HandedIn]:
        return [entry for entry in self.exercises if not entry.passed]

    @property
    def changed(self) -> int:
        return sum(entry.changed for entry in self.exercises)

    def to_json(self) -> str:
        data = {k: v for k, v in asdict(self).items() if k != "archive"}
        return json.dumps(data, indent=2) + "\n"


def course_version() -> str:
    """The installed course's version (pyproject's), or 'unknown' when it is not installed."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown"


def check_student_id(student: str) -> str:
    """`student` if batch grading accepts it as a student id; SubmitRefused otherwise."""
    if not STUDENT_ID.match(student):
        raise SubmitRefused(f"{student!r} is not a student id the grader accepts (it must match "
                            f"{STUDENT_ID.pattern}); use the id your instructor gave you")
    return student


def _differs_from_stub(exercise: Exercise, path: Path, root: Path) -> bool:
    try:
        return path.read_text(encoding="utf-8") != pristine_stub(exercise, root)
    except FileNotFoundError:  # no stub to compare with: count the file as work
        return True


def chosen_files(exercises_dir: Path, notebooks_dir: Path, root: Path) -> list[ChosenFile]:
    """For each exercise with a file, the one to hand in (see the module docstring)."""
    chosen = []
    for exercise in load_course().exercises:
        script = Path(exercises_dir) / exercise.filename
        notebook = Path(notebooks_dir) / exercise.notebook_name
        if notebook.is_file() and (not script.is_file() or notebook.stat().st_mtime > script.stat().st_mtime):
            chosen.append(ChosenFile(exercise, notebook, True))
        elif script.is_file():
            chosen.append(ChosenFile(exercise, script, _differs_from_stub(exercise, script, root)))
    if not chosen:
        raise SubmitRefused(f"no exercise files in {exercises_dir}/; run this where your exercises/ folder is")
    if not any(file.changed for file in chosen):
        raise SubmitRefused(f"nothing to hand in: every file in {exercises_dir}/ is still its stub. Solve an "
                            "exercise first (course check N tells you how far you are).")
    return chosen


def archive_path(student: str, out: Path | None, root: Path) -> Path:
    """Where the archive goes: `out/STUDENT.zip` for a folder, `out` for a file named STUDENT.zip."""
    name = student + ARCHIVE_SUFFIX
    if out is None:
        return root / name
    out = Path(out)
    if out.is_dir():
        return out / name
    if out.name != name:
        raise SubmitRefused(f"the archive's name is your student id for the grader: call it {name} "
                            f"(or give a folder to write it in), not {out.name}")
    if not out.parent.is_dir():
        raise SubmitRefused(f"no folder {out.parent} to write {name} in")
    return out


def remembered_student(root: Path) -> str | None:
    """The student id of the last submission from this folder, if any."""
    try:
        return (root / STATE_DIR / "student").read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def _remember_student(root: Path, student: str) -> None:
    (root / STATE_DIR).mkdir(parents=True, exist_ok=True)
    (root / STATE_DIR / "student").write_text(student + "\n", encoding="utf-8")


def write_submission(student: str, files: list[ChosenFile], root: Path, out: Path | None = None,
                     on_result: Callable[[ExerciseResult], None] | None = None) -> SubmissionRecord:
    """Check each chosen file once and write the archive (atomically); return what it holds.

    Raises SubmitRefused (before checking anything) for an id batch grading would not accept or an
    archive name that is not the student id.
    """
    check_student_id(student)
    target = archive_path(student, out, root)
    entries = []
    for chosen in files:
        [result] = check([chosen.exercise.id], chosen.path, root, on_result=on_result)
        entries.append(HandedIn(chosen.exercise.id, chosen.path.name, hashlib.sha256(chosen.path.read_bytes()).hexdigest(),
                                chosen.changed, result.points, result.max_points, result.passed))
    record = SubmissionRecord(student, load_course().title, course_version(), entries,
                              datetime.now().astimezone().isoformat(timespec="seconds"), archive=target)
    handle, temporary = tempfile.mkstemp(prefix=f".{student}.", suffix=ARCHIVE_SUFFIX, dir=target.parent)
    os.close(handle)
    try:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for chosen in files:
                archive.write(chosen.path, chosen.path.name)
            archive.writestr(RECORD_NAME, record.to_json())
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
    _remember_student(root, student)
    return record
