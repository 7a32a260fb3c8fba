"""The class roster (`--roster roster.csv`): how the course's student ids map to an LMS's people.

A CSV with a header row. `student` (the id the grader knows: the submission's folder or archive
name) is required; every other column is optional:

- `lms_id`: the LMS's own user id (Canvas' `ID` column);
- `name`: the display name (Canvas' `Student`, e.g. "Lovelace, Ada");
- `email`: the e-mail address (Moodle's "Email address" identifier);
- `section`: Canvas' `Section`;
- `sis_user_id`, `sis_login_id`: Canvas' SIS columns (the login id defaults to the student id);
- `idnumber`: Moodle's "ID number" identifier.

The roster is also the class: extensions may name a student who is on it but did not submit.

A run given `--roster` keeps a copy in `OUT/roster.csv` (`record_roster`); a later run on the same
gradebook without `--roster` uses that copy (`recorded_roster`), as it keeps the deadline terms, so a
resumed or partial run writes the same LMS files. A new `--roster` replaces the copy.
"""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass, field
from pathlib import Path

ROSTER_FILE = "roster.csv"  # the copy a gradebook keeps of the last --roster
COLUMNS = ("student", "lms_id", "name", "email", "section", "sis_user_id", "sis_login_id", "idnumber")


class RosterError(ValueError):
    """A roster that cannot be used; the message is one line."""


@dataclass(frozen=True)
class RosterEntry:
    """One person on the roster; empty strings for what the roster does not say."""

    student: str
    lms_id: str = ""
    name: str = ""
    email: str = ""
    section: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    idnumber: str = ""


@dataclass
class Roster:
    """The roster's entries by student id, in the file's order."""

    entries: dict[str, RosterEntry] = field(default_factory=dict)

    def entry(self, student: str) -> RosterEntry:
        """The student's entry, or one that knows only the id (a student missing from the roster)."""
        return self.entries.get(student) or RosterEntry(student)

    def missing(self, students: list[str]) -> list[str]:
        """Which of `students` the roster does not list."""
        return [s for s in students if s not in self.entries]


def read_roster(path: Path) -> Roster:
    """The roster in `path` (format in the module docstring); RosterError if it cannot be used."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise RosterError(f"--roster: cannot read {path} ({getattr(error, 'strerror', None) or error})") from None
    rows = list(csv.reader(text.splitlines()))
    header = [h.strip().lower() for h in rows[0]] if rows else []
    if "student" not in header:
        raise RosterError(f"--roster: {path.name} needs a header row with a 'student' column "
                          f"(and any of {', '.join(COLUMNS[1:])}); found {','.join(header) or 'nothing'}")
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise RosterError(f"--roster: {path.name} has columns the grader does not know: {', '.join(unknown)} "
                          f"(known: {', '.join(COLUMNS)})")
    roster = Roster()
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise RosterError(f"--roster: {path.name} line {line} has {len(row)} columns, not {len(header)}")
        values = {h: cell.strip() for h, cell in zip(header, row, strict=True)}
        if not values["student"]:
            raise RosterError(f"--roster: {path.name} line {line} has no student id")
        if values["student"] in roster.entries:
            raise RosterError(f"--roster: {path.name} lists {values['student']!r} twice (line {line})")
        roster.entries[values["student"]] = RosterEntry(**values)
    return roster


def record_roster(out: Path, source: Path) -> Path:
    """Keep a copy of the roster `source` in the gradebook folder `out`, for later runs; the copy's path."""
    out.mkdir(parents=True, exist_ok=True)
    kept = out / ROSTER_FILE
    if source.resolve() != kept.resolve():
        shutil.copyfile(source, kept)
    return kept


def recorded_roster(out: Path) -> Path | None:
    """The roster an earlier run on the gradebook `out` kept, or None."""
    kept = out / ROSTER_FILE
    return kept if kept.is_file() else None
