"""A time limit per step of the batch dialogue, so that one slow call cannot eat an exercise's whole budget.

Each probe the grader sends the student's process (one call of a learner function, or one scenario) must
be answered within the exercise's own time budget (`time_budget_s` in grader/course.toml). A process that
does not answer in time is stuck in the learner's code, so it is stopped (`StepStalled`), and the
exercise's remaining probes are played in a fresh process, within what is left of the exercise's
time. The stalled probe's answer is a failure that says which call took too long: only the checks that
read it lose their points, and the exercise's status is "timed out" with that reason.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from grader.checks.scenario import SCENARIO_PROBE
from grader.grade.entries import Entry, Replay
from grader.grade.pool import ProcessEnded

TIMED_OUT = "timed out"


class StepStalled(ProcessEnded):
    """The student's process did not answer one probe within the step's time limit."""

    def __init__(self, task, probe, limit_s: float) -> None:
        what = ("a scenario on your classes" if probe.name == SCENARIO_PROBE else f"`{probe.name}()`")
        super().__init__(TIMED_OUT, f"{what} took longer than {limit_s:g} s, the time limit of one call of the "
                                    "grader; it was stopped")
        self.task, self.probe, self.limit_s = task, probe, limit_s


@dataclass
class Stall:
    """A probe that stalled: the exercise part it belongs to, its key, and the failure it is answered with."""

    exercise_id: str
    part: str
    key: str
    reason: str

    def entry(self) -> dict:
        return {"stalled": True, "failure": {"summary": self.reason, "hint": "look for an endless loop, a sleep or "
                                                                              "a very slow step in that code"}}


def continuation(stall: StepStalled, spent_s: float, startup_s: float):
    """The stalled task without the stalled probe, with what is left of its time plus `startup_s` for the
    fresh process it is played in (None if nothing is left): starting that process is the grader's cost,
    not the student's, and it must not time out the calls that never stalled when the machine is busy.
    Only a part's first restart gets `startup_s`: a submission whose every call stalls cannot stretch a
    part's time by one start-up per call."""
    left = stall.task.wall_s - spent_s
    if left <= 0:
        return None
    return replace(stall.task, probes=[p for p in stall.task.probes if p.key != stall.probe.key],
                   wall_s=left + (0.0 if stall.task.restarted else startup_s), restarted=True)


def add_stalls(entry: Entry, stalls: list[Stall], part: str) -> Entry:
    """The exercise part's entry with each of its stalled probes answered by its failure."""
    if not isinstance(entry, Replay) or "results" not in entry.header:
        return entry
    for stall in stalls:
        if stall.part == part:
            entry.header["results"][stall.key] = stall.entry()
    return entry
