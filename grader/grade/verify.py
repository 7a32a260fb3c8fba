"""Trusted verification of one student, one exercise at a time, each within limits of its own.

The verifier (grader.grade.worker.verify_student) rebuilds the student's models and trains them, so a
model that is tiny but very expensive to run, or that exhausts the verifier's memory, makes that process
slow or ends it. Each exercise therefore gets its own limits: `verification_cpu_s` seconds of CPU time
(all threads, enforced by the kernel in the verifier: RLIMIT_CPU), derived from its time budget
(`time_budget_s` in grader/course.toml) unless its entry sets `verification_cpu_s` itself, and
`verification_wall_s` seconds of wall-clock time (enforced here). An exercise that goes over either, or
whose verification ends the process, fails every check with a message saying so; the exercises after it
are verified in a fresh process, as they would have been.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from grader.grade.entries import Entry
from grader.grade.pool import ProcessEnded, run_dialogue
from grader.manifest import Exercise
from grader.results import failed_checks

VERIFY_MARGIN_S = 30.0  # beyond the time budget: rebuilding, evaluating and the other checks
STARTUP_S = 30.0  # a fresh verifier's own start (the dataset cache read), before its first exercise


def verification_cpu_s(exercise: Exercise) -> float:
    """CPU seconds verifying `exercise` may use: its training budget (itself CPU time) and a margin, or the
    exercise's own `verification_cpu_s` in grader/course.toml when it sets one."""
    own = exercise.extra.get("verification_cpu_s")
    return float(own) if own is not None else exercise.time_budget_s * 1.5 + VERIFY_MARGIN_S


def verification_wall_s(exercise: Exercise) -> float:
    """Wall-clock seconds verifying `exercise` may take: a safety net twice its CPU allowance, so that a
    loaded machine does not cost an honest student points."""
    return 2 * verification_cpu_s(exercise)


@dataclass(frozen=True)
class VerificationStopped:
    """Why the verification of one exercise did not finish: the verifier's end, as run_dialogue says it."""

    status: str
    detail: str

    def result(self, exercise: Exercise) -> dict[str, Any]:
        """The exercise's result: every check failed with a message in the learner's terms."""
        if self.status == "timed out" or "SIGXCPU" in self.detail:
            status = "timed out"
            reason = (f"verifying your answer (building, training and running your model in the grader) took "
                      f"longer than the grader allows for this exercise ({verification_cpu_s(exercise):g} s of CPU "
                      f"time, {verification_wall_s(exercise):g} s in all); it was stopped")
        else:  # the status alone when the detail blames the submission's own code (sys.exit), not run here
            status = self.status
            detail = self.detail if self.status in ("crashed", "killed", "limit exceeded") else self.status
            reason = ("verifying your answer (building, training and running your model in the grader) ended "
                      f"the grader's process ({detail})")
        checks = [c.gradebook_entry() for c in failed_checks(exercise, reason)]
        return {"status": status, "reason": reason, "checks": checks}


def verify_entries(student: str, entries: dict[str, Entry], exercises: list[Exercise],
                   dataset_cache: str | None, hide: list[str] | None = None,
                   input_key: bytes | None = None, namespaces_required: bool = False) -> dict[str, dict[str, Any]]:
    """Every exercise's verified result (exercise id -> {"status", "checks", ...}), computed in trusted
    processes (grader.grade.worker.verify_student), each exercise within its own limits, with the paths in
    `hide` covered, the checks drawing their arrays with `input_key` (grader.checks.inputs); refused, not
    run unconfined, when `namespaces_required` and the namespaces are refused."""
    from grader.grade.worker import Verified, VerifyJob, verify_student

    results: dict[str, dict[str, Any]] = {}
    remaining = list(exercises)
    while remaining:
        job = VerifyJob(student, {e.id: entries[e.id] for e in remaining}, dataset_cache,
                        cpu_s={e.id: verification_cpu_s(e) for e in remaining}, hide=list(hide or []),
                        input_key=input_key, namespaces_required=namespaces_required)

        def talk(channel, todo: list[Exercise] = remaining) -> None:
            for number, exercise in enumerate(todo):
                raw = channel.receive(verification_wall_s(exercise) + (STARTUP_S if number == 0 else 0.0))
                try:
                    verified = Verified(**json.loads(raw))
                except (ValueError, TypeError) as error:  # a trusted process: this is the grader's own failure
                    raise ProcessEnded("grader error", f"its reply could not be read ({error})") from None
                results[verified.exercise] = verified.result

        end = run_dialogue(verify_student, job, talk)
        if end is None:
            break
        stopped = next(e for e in remaining if e.id not in results)
        results[stopped.id] = VerificationStopped(end.status, end.detail).result(stopped)
        remaining = [e for e in remaining if e.id not in results]
    return results
