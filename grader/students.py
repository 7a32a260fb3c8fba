"""Student ids, the file names that stand for them, the largest exercise file the grader reads and the
name of `course submit`'s record (the learner's submit, batch intake, deadlines and the gradebook's
per-student files all follow these)."""

from __future__ import annotations

import hashlib
import re

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,127}$")
STUDENT_ID_RULE = "letters, digits and _ . @ + -, at most 128 characters, starting with a letter or digit"
MAX_SOURCE_BYTES = 2 * 1024 * 1024  # a single exercise file larger than this is not read (nor handed in)
SUBMIT_RECORD = "submission.json"  # what `course submit` adds to the archive: the learner's own account of it
_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,99}$")


def student_file_name(student: str) -> str:
    """A portable file name (≤ 113 characters) standing for `student`: the id itself when it is one,
    else its portable characters (at most 100) and a hash of the whole id, so two ids never share one."""
    if _FILE_NAME.match(student):
        return student
    kept = re.sub(r"[^A-Za-z0-9_.@+-]", "_", student)[:100].lstrip("._-+@") or "student"
    return f"{kept}-{hashlib.sha256(student.encode('utf-8', 'surrogateescape')).hexdigest()[:12]}"
