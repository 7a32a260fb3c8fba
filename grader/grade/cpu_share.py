"""An equal share of the CPU for each confined job, however many processes and threads it starts.

The kernel shares the CPU between threads, not between students: a submission that starts 24 busy
processes takes 24/25 of a core from a classmate graded beside it, whose probes then run into their
time limits. So each confined job (one slot's uid: its probing process, its challenger) runs in a
control group of its own, all with the same weight, and the kernel shares the CPU between the
groups first: a job can use the whole machine when nothing else wants it, and never more than its
share when something does.

Needs root and cgroup v1's `cpu` controller, writable; the groups are made inside the grader's own.
Without it nothing changes, and `describe()` says so.
"""

from __future__ import annotations

import contextlib
import functools
import os
import time
from pathlib import Path

V1_ROOT = Path("/sys/fs/cgroup/cpu")  # cgroup v1: the cpu controller's own hierarchy
PREFIX = "keras-course-"


@functools.cache
def _hierarchy() -> tuple[Path, str, int] | None:
    """(folder, weight file, weight) where the jobs' groups are made, or None: the grader's own group in
    cgroup v1's `cpu` hierarchy (so that the jobs stay within whatever limits the grader's service or
    container has), when it is writable. A group's weight is that of one busy thread per core
    (`cpu.shares` 1024 per core): with nothing to fear from it, a job keeps the CPU a multi-threaded
    TensorFlow process had. cgroup v2 is not used: a group under the grader's own needs that group
    delegated (the grader's process moved into a leaf of it), which is the machine owner's to set up."""
    if os.geteuid() != 0 or not (V1_ROOT / "cpu.shares").is_file():
        return None
    own = V1_ROOT
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            if "cpu" in controllers.split(","):
                own = V1_ROOT / path.lstrip("/")
    if not (own / "cpu.shares").is_file() or not os.access(own, os.W_OK):
        return None
    return own, "cpu.shares", 1024 * (os.cpu_count() or 1)


def group_for(uid: int) -> Path | None:
    """A fresh control group for the confined job that runs as `uid`, or None where the machine has no
    writable cpu controller (or it refused the group)."""
    hierarchy = _hierarchy()
    if hierarchy is None:
        return None
    root, weight_file, weight = hierarchy
    group = root / f"{PREFIX}{uid}"
    try:
        group.mkdir(exist_ok=True)
        (group / weight_file).write_text(str(weight))
    except OSError:
        release(group)
        return None
    return group


def join(group: Path | None) -> None:
    """Move the calling process into `group`, before it forks or starts a thread: what it starts later
    is born there, and an unprivileged process cannot move itself out."""
    if group is not None:
        with contextlib.suppress(OSError):
            (group / "cgroup.procs").write_text(str(os.getpid()))


def release(group: Path | None, wait_s: float = 1.0) -> None:
    """Remove `group` once its processes have ended (they were killed: a group empties as they exit)."""
    if group is None:
        return
    deadline = time.monotonic() + wait_s
    while True:
        try:
            group.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            if time.monotonic() > deadline:
                return  # left behind, empty or soon empty: an empty group costs nothing
            time.sleep(0.02)


def joined(group: Path | None, target, *args) -> None:
    """A process's first step: join `group`, then run `target(*args)` (see grader.grade.pool.run_dialogue)."""
    join(group)
    target(*args)


def describe() -> str:
    """One line on how this machine shares the CPU between the jobs graded at once."""
    hierarchy = _hierarchy()
    if hierarchy is None:
        return ("no writable cgroup v1 cpu controller: the kernel shares the CPU between threads, so a submission that starts "
                "many busy processes slows the classmates graded beside it (their time limits are wall-clock)")
    return "each confined job in a control group of its own (cgroup v1 cpu.shares): an equal share of the CPU"
