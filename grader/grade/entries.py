"""What batch grading holds for one exercise of one student before verification: the answers of a
part the student's process played (`Replay`), or why there are none (`Outcome`).

The grading thread builds them (grader.grade.student.play_task) and sends them to the trusted
verification process (grader.grade.worker.verify_student), pickled by the grader itself.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    """An exercise (or its hidden part) with no answers: `status` ("not submitted", "timed out", "bad
    reply", …) is what the gradebook reports, `reason` says why in the learner's terms."""

    status: str
    reason: str

    @property
    def text(self) -> str:
        """`timed out: …`: the outcome as one line."""
        return f"{self.status}: {self.reason}"


@dataclass(frozen=True)
class Replay:
    """One part of an exercise as the student's process answered it: the reply header (with its
    `results` per probe, or its `load_failure`) and the arrays the header refers to. `hidden` is the
    hidden checks' own part of the same exercise: its Replay, its Outcome, or None if there was none."""

    header: dict
    arrays: list
    hidden: Replay | Outcome | None = None

    @property
    def loaded(self) -> bool:
        """Whether the student's file loaded (else the header holds its `load_failure`)."""
        return "load_failure" not in self.header


Entry = Replay | Outcome
