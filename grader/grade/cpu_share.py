"""An equal share of the CPU for each confined job, however many processes and threads it starts.

The kernel shares the CPU between threads, not between students: a submission that starts 24 busy
processes takes 24/25 of a core from a classmate graded beside it, whose probes then run into their
time limits. So each confined job (one slot's uid: its probing process, its challenger) runs in a
control group of its own, all with the same weight, and the kernel shares the CPU between the
groups first: a job can use the whole machine when nothing else wants it, and never more than its
share when something does.

Needs root and a writable `cpu` controller (cgroup v1's `cpu` hierarchy, or cgroup v2 with `cpu` in
its controllers). Without one nothing changes, and `describe()` says so.
"""

from __future__ import annotations

import contextlib
import functools
import os
import time
from pathlib import Path

V1_ROOT = Path("/sys/fs/cgroup/cpu")  # cgroup v1: the cpu controller's own hierarchy
V2_ROOT = Path("/sys/fs/cgroup")  # cgroup v2: the unified hierarchy
PREFIX = "keras-course-"


@functools.cache
def _hierarchy() -> tuple[Path, str, int] | None:
    """(root, weight file, weight) of the writable cpu controller this machine has, or None. A group's
    weight is that of one busy thread per core (v1 `cpu.shares` 1024 per core; v2 `cpu.weight` 100 per
    core): with nothing to fear from it, a job keeps the CPU a multi-threaded TensorFlow process had."""
    if os.geteuid() != 0:
        return None
    cores = os.cpu_count() or 1
    if (V1_ROOT / "cpu.shares").is_file() and os.access(V1_ROOT, os.W_OK):
        return V1_ROOT, "cpu.shares", 1024 * cores
    controllers = V2_ROOT / "cgroup.controllers"
    if controllers.is_file() and "cpu" in controllers.read_text().split():
        subtree = V2_ROOT / "cgroup.subtree_control"
        try:
            if "cpu" not in subtree.read_text().split():
                subtree.write_text("+cpu")
        except OSError:
            return None
        return V2_ROOT, "cpu.weight", min(10_000, 100 * cores)
    return None


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


def members(group: Path) -> list[int]:
    """The processes in `group` now."""
    try:
        return [int(pid) for pid in (group / "cgroup.procs").read_text().split()]
    except (OSError, ValueError):
        return []


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
        return ("no writable cpu controller: the kernel shares the CPU between threads, so a submission that starts "
                "many busy processes slows the classmates graded beside it (their time limits are wall-clock)")
    root, weight_file, _ = hierarchy
    version = "v1" if root == V1_ROOT else "v2"
    return f"each confined job in a control group of its own (cgroup {version} {weight_file}): an equal share of the CPU"
