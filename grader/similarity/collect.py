"""Each student's code per exercise, read from the submissions the batch grader's intake finds.

The layouts (student folders, zip archives, nbgrader's `submitted/` tree, `.py` or `.ipynb`) and the
student-id rules are grader.grade.intake's; this module only turns the files it finds into text.
A file that cannot be compared — empty, not text, too large, a notebook that does not parse — and a
submission the intake refused become `NotCompared` entries with the reason, never an error.
"""

from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

from grader.grade.intake import discover
from grader.manifest import Exercise
from grader.students import MAX_SOURCE_BYTES

# An answer's code is a few KB (the longest reference solution is under 4 KB); past this it is not compared,
# which also bounds the time one hostile file costs (pygments and copydetect are linear in it, ~3 s/MB).
MAX_COMPARED_BYTES = 128 * 1024


@dataclass(frozen=True)
class StudentCode:
    """One student's answer to one exercise, as Python source text."""

    student: str
    exercise_id: str
    text: str


@dataclass(frozen=True)
class NotCompared:
    """A student's exercise (or, with `exercise_id` None, whole submission) left out, and why."""

    student: str
    exercise_id: str | None
    reason: str


@dataclass
class ClassCode:
    """Everything `collect` found: the students, their code by exercise id, and what was left out."""

    students: list[str]
    code: dict[str, list[StudentCode]] = field(default_factory=dict)
    not_compared: list[NotCompared] = field(default_factory=list)


class Uncomparable(ValueError):
    """A submitted file that cannot be compared; the message says why, in the instructor's terms."""


LONG_STRING = 1024  # a string literal longer than this is padding, not an answer's code (`without_padding`)


def read_source(path: Path) -> str:
    """The Python source of a submitted `.py` or `.ipynb` file; Uncomparable if there is none to compare.

    A file over MAX_SOURCE_BYTES is not read (as in grading); code over MAX_COMPARED_BYTES is compared
    without its comments and long string literals (`without_padding`), so that padding does not take a
    copy out of the comparison, and is left out only when even that is too long."""
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            raise Uncomparable(f"the file is {size:,} bytes; files over {MAX_SOURCE_BYTES:,} bytes are not read "
                               "(as in grading)")
        if path.suffix == ".ipynb":  # outputs (plots) make a notebook large: its code is what is capped
            from grader.checks.notebook_source import NotebookError, notebook_to_source

            try:
                text = notebook_to_source(path)
            except NotebookError as error:
                raise Uncomparable(str(error)) from None
        else:
            data = path.read_bytes()
            if b"\0" in data:
                raise Uncomparable("the file is not text (it holds binary data)")
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                raise Uncomparable("the file is not UTF-8 text") from None
    except OSError as error:
        raise Uncomparable(f"the file cannot be read ({error.strerror or type(error).__name__})") from None
    if not text.strip():
        raise Uncomparable("the file is empty")
    if len(text.encode("utf-8")) > MAX_COMPARED_BYTES:
        text = without_padding(text)
        size = len(text.encode("utf-8"))
        if size > MAX_COMPARED_BYTES:
            raise Uncomparable(f"its code is {size:,} bytes without comments and long strings; code over "
                               f"{MAX_COMPARED_BYTES:,} bytes is not compared")
    return text


def without_padding(text: str) -> str:
    """`text` without comments and blank lines, every string literal over LONG_STRING characters cut to
    `""`: what padding that would push a copy past MAX_COMPARED_BYTES is made of. Text Python's
    tokenizer cannot read loses only its blank and comment-only lines."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        tokens = []
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    pieces, last = [], 0
    for token in tokens:
        if token.type == tokenize.COMMENT or token.type == tokenize.STRING and len(token.string) > LONG_STRING:
            begin, end = starts[token.start[0] - 1] + token.start[1], starts[token.end[0] - 1] + token.end[1]
            pieces += [text[last:begin], '""' if token.type == tokenize.STRING else ""]
            last = end
    pieces.append(text[last:])
    return "\n".join(line for line in "".join(pieces).splitlines() if line.strip() and not line.lstrip().startswith("#"))


def collect(paths: list[Path], exercises: list[Exercise], scratch: Path) -> ClassCode:
    """Every student's code for `exercises` under `paths` (archives are extracted into `scratch`).

    FileNotFoundError if a path does not exist (as the intake says).
    """
    submissions = discover(paths, exercises, scratch)
    found = ClassCode(students=[s.student for s in submissions], code={e.id: [] for e in exercises})
    for submission in submissions:
        if submission.refused:
            found.not_compared.append(NotCompared(submission.student, None, submission.refused.reason))
            continue
        if not submission.files:
            found.not_compared.append(NotCompared(submission.student, None, "no exercise files found in the submission"))
            continue
        for exercise in exercises:
            path = submission.files.get(exercise.id)
            if path is None:
                continue  # not submitted: nothing to compare, and nothing worth a line
            try:
                text = read_source(path)
            except Uncomparable as error:
                found.not_compared.append(NotCompared(submission.student, exercise.id, str(error)))
                continue
            except Exception as error:  # noqa: BLE001 - one student's odd file never stops the class
                found.not_compared.append(NotCompared(submission.student, exercise.id,
                                                      f"the file could not be read ({type(error).__name__})"))
                continue
            found.code[exercise.id].append(StudentCode(submission.student, exercise.id, text))
    return found
