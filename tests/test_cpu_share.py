"""A submission that starts many busy processes gets no more of the CPU than a classmate graded beside it
(grader.grade.cpu_share): each confined job runs in a control group of its own, of equal weight."""

from __future__ import annotations

import os
import threading
import time

import pytest

from grader.grade import cpu_share
from grader.grade.pool import run_job
from grader.grade.sandbox import new_uid_base

WINDOW_S = 3.0
SPINNERS = 6

pytestmark = pytest.mark.skipif(cpu_share.describe().startswith("no writable"),
                                reason="this machine has no writable cgroup v1 cpu controller (needs root)")


def _spin_until(deadline: float) -> None:
    while time.monotonic() < deadline:
        pass


def _on_one_cpu() -> None:
    """Both jobs on the same CPU (their children inherit it): the kernel must share it between them, however
    many cores the machine has idle."""
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def hog(deadline: float, conn) -> None:
    """The hostile job: SPINNERS busy processes until `deadline`; replies with the CPU seconds they used."""
    _on_one_cpu()
    reads = []
    for _ in range(SPINNERS):
        read, write = os.pipe()
        if os.fork() == 0:
            _spin_until(deadline)
            times = os.times()
            os.write(write, repr(times.user + times.system).encode())
            os._exit(0)
        os.close(write)
        reads.append(read)
    used = 0.0
    for read in reads:
        used += float(os.read(read, 64).decode())
        os.close(read)
    conn.send_bytes(repr(used).encode())


def honest(deadline: float, conn) -> None:
    """The classmate: one busy process until `deadline` (a probe that trains); replies with its CPU seconds."""
    _on_one_cpu()
    _spin_until(deadline)
    times = os.times()
    conn.send_bytes(repr(times.user + times.system).encode())


def test_many_busy_processes_get_no_more_cpu_than_one_classmate_graded_beside_them():
    """Six busy processes against one, graded at once in two slots and pinned to one CPU: the kernel shares it
    between the slots' groups, so the six together get about what the one gets, not six times as much.
    Both sides' CPU seconds are measured in the same window, so load from elsewhere slows both alike."""
    base = new_uid_base(2)
    run_job(honest, time.monotonic(), 60)  # the forkserver up, so that both jobs start at once
    deadline = time.monotonic() + 0.5 + WINDOW_S
    used: dict[str, float] = {}

    def run(name, target, uid):
        outcome = run_job(target, deadline, WINDOW_S + 30, uid)
        assert outcome.status == "ok", (name, outcome.status, outcome.detail)
        used[name] = float(outcome.reply.decode())

    threads = [threading.Thread(target=run, args=("hog", hog, base)),
               threading.Thread(target=run, args=("honest", honest, base + 1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(used) == {"hog", "honest"}
    assert used["hog"] < 2.0 * used["honest"], used
    root = cpu_share._hierarchy()[0]
    assert not [uid for uid in (base, base + 1) if (root / f"{cpu_share.PREFIX}{uid}").exists()]  # removed once empty
