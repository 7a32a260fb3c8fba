"""The time limit per call of the batch dialogue (grader.grade.steps): what a part keeps after a call stalls."""

from __future__ import annotations

from types import SimpleNamespace

from grader.grade.steps import StepStalled, continuation
from grader.grade.worker import ProbeTask


def _stall(task: ProbeTask, key: str) -> StepStalled:
    return StepStalled(task, SimpleNamespace(name=key, key=key), task.step_s)


def test_a_stalled_part_goes_on_with_what_is_left_plus_one_fresh_start_up():
    """Starting the fresh process is the grader's cost: the first restart of a part gets the start-up margin
    on top of what is left (on a busy machine, the calls that never stalled could not start in what is
    left alone); a second stall in the same part gets none, so a submission whose every call stalls
    cannot stretch the part by one start-up per call; a part with no time left is not restarted."""
    task = ProbeTask("01", "01_flatten.py", b"", [SimpleNamespace(key=k) for k in "abc"], wall_s=20.0, step_s=10.0)
    first = continuation(_stall(task, "b"), spent_s=12.0, startup_s=10.0)
    assert [p.key for p in first.probes] == ["a", "c"] and first.wall_s == 18.0 and first.restarted
    second = continuation(_stall(first, "c"), spent_s=11.0, startup_s=10.0)
    assert [p.key for p in second.probes] == ["a"] and second.wall_s == 7.0
    assert continuation(_stall(second, "a"), spent_s=7.0, startup_s=10.0) is None
