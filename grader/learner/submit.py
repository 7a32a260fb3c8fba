"""`course submit`: the learner's work as one archive that `course grade` takes as one student.

`chosen_files` picks, for each exercise, the file the learner worked on: `exercises/NN_slug.py`, or
its paired notebook `notebooks/NN_slug.ipynb` when the notebook is the newer of the two (edited in
Jupyter and not synced back; jupytext's own rule: the newer file wins); it refuses when no file
differs from its stub, or when a file is larger than batch grading reads (`MAX_SOURCE_BYTES`: it would
earn 0 there). An exercise with no file at all is not handed in (`missing_exercises`; the record lists
it). `write_submission` checks every exercise once (the public checks, as `course check` does,
recording progress), and writes `STUDENT.zip`: the chosen files at the top level under the names
batch grading looks for, and `submission.json` (see `SubmissionRecord`); writing it again replaces it.
Every refusal is a `SubmitRefused` whose message is one line in the learner's terms.

The student id is the archive's name, because that is how batch grading names a student; it must
match batch intake's `STUDENT_ID`. The learner's clock time is recorded as the learner's claim
only: the time a submission counts as handed in is when the instructor receives it. The archive's
member times are that same clock, so batch grading's deadlines do not read them either
(grader.grade.deadlines: the record's presence makes the time unknown unless the instructor gives it).
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
from typing import TYPE_CHECKING

from grader.learner.commands import check, pristine_stub
from grader.manifest import Exercise, load_course
from grader.progress_store import STATE_DIR
from grader.students import MAX_SOURCE_BYTES, STUDENT_ID, STUDENT_ID_RULE, SUBMIT_RECORD

if TYPE_CHECKING:
    from grader.runner import ExerciseResult

RECORD_NAME = SUBMIT_RECORD
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
    missing: list[str] = field(default_factory=list)  # exercises with no file: not handed in
    archive: Path = field(default=Path())  # where it was written; not part of the JSON
    replaced: bool = False  # an archive of that name was there before and is replaced; not part of the JSON

    @property
    def failing(self) -> list[HandedIn]:
        return [entry for entry in self.exercises if not entry.passed]

    @property
    def changed(self) -> int:
        return sum(entry.changed for entry in self.exercises)

    def to_json(self) -> str:
        data = {k: v for k, v in asdict(self).items() if k not in ("archive", "replaced")}
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
        raise SubmitRefused(f"{student!r} is not a student id the grader accepts ({STUDENT_ID_RULE}); "
                            "use the id your instructor gave you")
    return student


def _differs_from_stub(exercise: Exercise, path: Path, root: Path) -> bool:
    try:  # compared as bytes: a file that is not UTF-8 text differs (its checks say what is wrong with it)
        return path.read_bytes() != pristine_stub(exercise, root).encode("utf-8")
    except FileNotFoundError:  # no stub to compare with: count the file as work
        return True


def _refuse_oversized(chosen: ChosenFile) -> None:
    size = chosen.path.stat().st_size
    if size > MAX_SOURCE_BYTES:
        clear = " (in Jupyter: Edit → Clear All Outputs, then save)" if chosen.path.suffix == ".ipynb" else ""
        raise SubmitRefused(f"{chosen.path} is {size:,} bytes; the grader reads exercise files of at most "
                            f"{MAX_SOURCE_BYTES:,} bytes, so it would get 0 points: make it smaller{clear} "
                            "and submit again")


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
    for file in chosen:
        _refuse_oversized(file)
    return chosen


def missing_exercises(files: list[ChosenFile]) -> list[Exercise]:
    """The course's exercises that `files` has no file for (deleted or renamed): they are not handed in."""
    present = {file.exercise.id for file in files}
    return [exercise for exercise in load_course().exercises if exercise.id not in present]


def archive_path(student: str, out: Path | None, root: Path) -> Path:
    """Where the archive goes: `out/STUDENT.zip` for a folder, `out` for a file named STUDENT.zip."""
    name = student + ARCHIVE_SUFFIX
    if out is None:
        return root / name
    out = Path(out)
    if out.is_dir():
        return out / name
    folder = out.parent if out.suffix.lower() == ARCHIVE_SUFFIX or out.exists() else out
    if not folder.is_dir():
        raise SubmitRefused(f"no folder {folder} to write {name} in: create it first, or leave out --out to "
                            "write the archive here")
    if out.name != name:
        raise SubmitRefused(f"the archive's name is your student id for the grader: call it {name} "
                            f"(or give a folder to write it in), not {out.name}")
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
    archive name that is not the student id, and (after checking) when the archive cannot be written.
    `record.replaced` says whether an archive of that name was there before (it is overwritten).
    """
    check_student_id(student)
    target = archive_path(student, out, root)
    entries = []
    for chosen in files:
        [result] = check([chosen.exercise.id], chosen.path, root, on_result=on_result)
        entries.append(HandedIn(chosen.exercise.id, chosen.path.name, hashlib.sha256(chosen.path.read_bytes()).hexdigest(),
                                chosen.changed, result.points, result.max_points, result.passed))
    record = SubmissionRecord(student, load_course().title, course_version(), entries,
                              datetime.now().astimezone().isoformat(timespec="seconds"),
                              missing=[exercise.id for exercise in missing_exercises(files)], archive=target,
                              replaced=target.exists())
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{student}.", suffix=ARCHIVE_SUFFIX, dir=target.parent)
    except OSError as error:
        raise SubmitRefused(f"cannot write {target}: {error.strerror or error}") from None
    os.close(handle)
    try:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for chosen in files:
                archive.write(chosen.path, chosen.path.name)
            archive.writestr(RECORD_NAME, record.to_json())
        os.replace(temporary, target)
    except OSError as error:
        raise SubmitRefused(f"cannot write {target}: {error.strerror or error}") from None
    finally:
        Path(temporary).unlink(missing_ok=True)
    _remember_student(root, student)
    return record
