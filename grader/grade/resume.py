"""What a run of `course grade` keeps of a student's stored record, what it grades again, and the record
it writes after.

A stored record is kept exercise by exercise: an exercise's result stands while the record verifies
(grader.grade.signing), the student's files are unchanged, and the exercise's fingerprint
(grader.grade.fingerprint) equals the one stored beside its result, and the result is not the grader's
own failure ("grader error": its sandbox refused, its verifier failed). Every other selected exercise is
graded again; an exercise no longer selected (removed from the manifest, or left out with `-e`)
leaves the record. A record that is absent, unreadable, forged, marked for retry, or without
fingerprints (written by an older grader) keeps nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from grader.grade.fingerprint import ExerciseFingerprint
from grader.grade.intake import StudentSubmission
from grader.manifest import Exercise

NOT_GRADED = "not graded before"
GRADER_FAILED = "the grader failed on it last time"


@dataclass
class StudentPlan:
    """One student's part of a run: their stored record, and which selected exercises to grade again, why."""

    student: StudentSubmission
    selected: list[Exercise]
    stored: dict[str, Any] | None  # the student's verified record as it was before this run, if any
    trusted: bool  # `stored` is a result of the student's current files, and not a failure to retry
    regrade: list[Exercise]
    reasons: dict[str, str] = field(default_factory=dict)  # exercise id -> why it is graded again

    @property
    def unchanged(self) -> bool:
        """Nothing to grade and nothing to drop: the stored record stands as it is (its file untouched)."""
        return (self.trusted and not self.regrade
                and list(self.stored["exercises"]) == [e.id for e in self.selected] == self.stored.get("exercise_ids"))


def plan_student(student: StudentSubmission, stored: dict[str, Any] | None, exercises: list[Exercise],
                 fingerprints: dict[str, ExerciseFingerprint], submission: str, force: bool) -> StudentPlan:
    """Decide which of the student's stored results stand for the selected `exercises` (module
    docstring). `stored` is the student's verified record or None; `submission` the digest of their
    current files (grade.submission_fingerprint)."""
    if stored is not None and not isinstance(stored.get("exercises"), dict):
        stored = None
    why = ("no trusted result" if stored is None else GRADER_FAILED if stored.get("retry")
           else "the submission changed" if stored.get("submission") != submission else None)
    trusted = why is None
    if trusted and force:
        why = "--force"
    if why is not None:
        return StudentPlan(student, list(exercises), stored, trusted, list(exercises), {e.id: why for e in exercises})
    kept = stored.get("fingerprints") if isinstance(stored.get("fingerprints"), dict) else {}
    regrade, reasons = [], {}
    for exercise in exercises:
        if exercise.id not in stored["exercises"]:
            reasons[exercise.id] = NOT_GRADED
        elif _grader_failed(stored["exercises"][exercise.id]):
            reasons[exercise.id] = GRADER_FAILED
        elif exercise.id not in kept:
            reasons[exercise.id] = "no fingerprint stored"
        else:
            changed = fingerprints[exercise.id].changed_parts(kept[exercise.id])
            if not changed:
                continue
            reasons[exercise.id] = "changed: " + ", ".join(changed)
        regrade.append(exercise)
    return StudentPlan(student, list(exercises), stored, trusted, regrade, reasons)


def _grader_failed(result: Any) -> bool:
    """Whether a stored exercise result is the grader's own failure (its sandbox refused, its verifier
    failed): the submission was not judged, so the next run judges it."""
    return isinstance(result, dict) and result.get("status") == "grader error"


def merged_record(plan: StudentPlan, graded: dict[str, Any] | None, fingerprints: dict[str, ExerciseFingerprint],
                  submission: str) -> dict[str, Any]:
    """The student's record after this run: the results just `graded` (a record of `plan.regrade`, or
    None when nothing was graded) and the stored ones that stand, for the selected exercises in order,
    with totals, the fingerprints and when each result was graded (`graded_at`). Not yet signed."""
    base = graded if graded is not None else plan.stored
    if base is None:
        raise ValueError(f"{plan.student.student}: nothing graded and nothing stored")
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    fresh = {e.id for e in plan.regrade} if graded is not None else set()
    results = {}
    for exercise in plan.selected:
        if exercise.id in fresh:
            results[exercise.id] = {**graded["exercises"][exercise.id], "graded_at": now}
        else:
            results[exercise.id] = plan.stored["exercises"][exercise.id]
    record = {k: v for k, v in base.items() if k not in ("signature", "grader")}
    record.update(exercises=results, total=sum(r["points"] for r in results.values()),
                  max_total=sum(e.max_points for e in plan.selected), submission=submission,
                  exercise_ids=[e.id for e in plan.selected],
                  fingerprints={e.id: fingerprints[e.id].parts for e in plan.selected})
    return record
