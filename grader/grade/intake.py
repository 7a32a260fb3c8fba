"""Finding the class's submissions: folders, zip archives, or nbgrader's `submitted/` tree.

A submission is one student's files, named as in `exercises/` (`04_sequential.py`, or the notebook
form `04_sequential.ipynb`). Layouts accepted, for each path given:

- a folder of student folders: `<path>/<student>/04_sequential.py` (files may sit deeper; the first
  file with an exercise's name wins, shallowest first);
- a folder of archives: `<path>/<student>.zip`;
- nbgrader's tree: `<path>/submitted/<student>/<assignment>/…` or `<path>` being `submitted/` itself;
- a single student folder or archive given directly.

Archives are extracted safely into a scratch folder: no absolute paths, no `..`, no links, at most
`MAX_FILES` entries and `MAX_BYTES` uncompressed. A bad archive becomes a problem on that student
alone ("archive rejected: …"), never an error for the batch.

Student ids. The id is the folder's or archive's name and must match `STUDENT_ID` (letters, digits
and `_ . @ + -`, at most 128 characters, starting with a letter or digit); a student whose id does
not is listed in the gradebook under that id with the status "invalid student id", and nothing of
theirs is read or run. Every file the grader writes for a student is named by `student_file_name`,
which is the id itself when it is a portable file name and a sanitised prefix plus a hash otherwise.
"""

from __future__ import annotations

import re
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.manifest import Exercise
from grader.students import STUDENT_ID, STUDENT_ID_RULE, student_file_name

MAX_FILES = 500
MAX_BYTES = 50 * 1024 * 1024
UNREADABLE = "unreadable submission"  # the status of a submission (or file) the grader could not read
INVALID_ID = "invalid student id"


@dataclass(frozen=True)
class Refusal:
    """Why nothing of a submission can be graded: its status for every exercise and the reason."""

    status: str
    reason: str


@dataclass
class StudentSubmission:
    """One student's exercise files (`files[exercise_id]`) and anything wrong with the submission."""

    student: str
    source: Path
    files: dict[str, Path] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    refused: Refusal | None = None


class ArchiveRejected(ValueError):
    """A student's archive was unsafe or too large; the message says why."""


def safe_extract(archive: Path, target: Path) -> None:
    """Extract `archive` into `target`, refusing anything that could escape it or exhaust the disk."""
    try:
        with zipfile.ZipFile(archive) as zf:
            entries = zf.infolist()
            if len(entries) > MAX_FILES:
                raise ArchiveRejected(f"{len(entries)} entries (the limit is {MAX_FILES})")
            total = sum(e.file_size for e in entries)
            if total > MAX_BYTES:
                raise ArchiveRejected(f"{total:,} bytes uncompressed (the limit is {MAX_BYTES:,})")
            for entry in entries:
                name = PurePosixPath(entry.filename.replace("\\", "/"))
                if name.is_absolute() or ".." in name.parts or re.match(r"^[A-Za-z]:", entry.filename):
                    raise ArchiveRejected(f"unsafe path {entry.filename!r}")
                mode = entry.external_attr >> 16
                if stat.S_ISLNK(mode):
                    raise ArchiveRejected(f"link entry {entry.filename!r}")
            target.mkdir(parents=True, exist_ok=True)
            written = 0
            for entry in entries:
                destination = target.joinpath(*PurePosixPath(entry.filename.replace("\\", "/")).parts)
                if entry.is_dir():
                    destination.mkdir(parents=True, exist_ok=True)
                    continue
                destination.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(entry) as src, open(destination, "wb") as dst:
                    while chunk := src.read(1 << 16):
                        written += len(chunk)
                        if written > MAX_BYTES:  # the header may lie about sizes
                            raise ArchiveRejected(f"more than {MAX_BYTES:,} bytes uncompressed")
                        dst.write(chunk)
    except ArchiveRejected:
        raise
    except NotImplementedError as error:
        raise ArchiveRejected(f"it uses a compression method the grader does not read ({error}); "
                              "submit a plain zip") from None
    except RuntimeError:  # zipfile's way of saying "encrypted, password required"
        raise ArchiveRejected("it is encrypted (password-protected); submit it without a password") from None
    except Exception as error:  # noqa: BLE001 - bad deflate data, bad CRC, truncated: the archive's fault
        raise ArchiveRejected(f"not a readable zip archive ({type(error).__name__}: {error})") from None


def _find_files(folder: Path, exercises: list[Exercise]) -> dict[str, Path]:
    """The shallowest regular (non-link) file for each exercise under `folder`."""
    found: dict[str, Path] = {}
    wanted = {}
    for exercise in exercises:
        wanted[exercise.filename] = exercise.id
        wanted[exercise.notebook_name] = exercise.id
    candidates = sorted((p for p in folder.rglob("*") if p.name in wanted),
                        key=lambda p: (len(p.relative_to(folder).parts), p.suffix != ".py", str(p)))
    for path in candidates:
        if path.is_symlink() or not path.is_file():
            continue
        found.setdefault(wanted[path.name], path)
    return found


def _student(source: Path, student: str, scratch: Path, exercises: list[Exercise]) -> StudentSubmission:
    """One student's submission; whatever is wrong with it becomes its `problems`/`refused`, never an error."""
    submission = StudentSubmission(student, source)
    if not STUDENT_ID.match(student):
        reason = (f"the student id {student[:200]!r} is not valid ({STUDENT_ID_RULE}); rename the folder or "
                  "archive and grade again")
        submission.problems.append(reason)
        submission.refused = Refusal(INVALID_ID, reason)
        return submission
    try:
        folder = source
        if source.suffix.lower() == ".zip":
            folder = scratch / "extracted" / student_file_name(student)
            shutil.rmtree(folder, ignore_errors=True)
            safe_extract(source, folder)
        submission.files = _find_files(folder, exercises)
    except ArchiveRejected as error:
        submission.problems.append(f"archive rejected: {error}")
        submission.refused = Refusal(UNREADABLE, f"archive rejected: {error}")
    except Exception as error:  # noqa: BLE001 - one student's unreadable files never stop the class
        submission.problems.append(f"the submission could not be read ({type(error).__name__}: {error})")
        submission.refused = Refusal(UNREADABLE, f"the submission could not be read ({type(error).__name__})")
    return submission


def discover(paths: list[Path], exercises: list[Exercise], scratch: Path) -> list[StudentSubmission]:
    """Every student's submission under `paths`, sorted by student id; duplicates are reported."""
    students: dict[str, StudentSubmission] = {}
    for path in map(Path, paths):
        for student, source in student_sources(path, exercises):
            if student in students:
                students[student].problems.append(f"also submitted as {source}; that copy was ignored")
                continue
            students[student] = _student(source, student, scratch, exercises)
    return [students[s] for s in sorted(students)]


def count_students(paths: list[Path], exercises: list[Exercise]) -> int:
    """How many distinct students `discover` will find (without extracting anything)."""
    return len({student for path in paths for student, _ in student_sources(Path(path), exercises)})


def student_sources(path: Path, exercises: list[Exercise]) -> list[tuple[str, Path]]:
    """(student id, folder or archive) pairs under `path`, by the layouts in the module docstring."""
    names = {e.filename for e in exercises} | {e.notebook_name for e in exercises}
    if path.is_file() and path.suffix.lower() == ".zip":
        return [(path.stem, path)]
    if not path.is_dir():
        raise FileNotFoundError(f"no such folder or archive: {path}")
    if (path / "submitted").is_dir():
        path = path / "submitted"
    if any(child.name in names for child in path.iterdir()):
        return [(path.name, path)]  # a single student's folder
    entries = []
    for child in sorted(path.iterdir()):
        if child.name.startswith("."):
            continue
        if child.is_dir() and not child.is_symlink():
            entries.append((child.name, child))
        elif child.is_file() and child.suffix.lower() == ".zip":
            entries.append((child.stem, child))
    return entries
