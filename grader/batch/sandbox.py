"""Confining one submission's process: limits, a scrubbed environment, and (where Linux allows)
namespaces that leave it nothing to see or touch but its own scratch folder.

`confine(limits, scratch, hide, uid)` runs first thing in the forked child, before any student code:

- a new session, so the whole process group can be killed at once;
- where possible (root, or unprivileged user namespaces):
  - private mount, network, PID and IPC namespaces: no network, no other process to see, signal or
    trace (a fresh /proc shows only the submission's own), no shared memory with anyone;
  - the paths in `hide` (solutions, hidden checks, tests, other students' files, the gradebook)
    covered by empty tmpfs mounts, and the whole file system made read-only;
  - the scratch folder a private tmpfs, seen by no other process (two students of one run never
    see each other's files, even when they run as the same user);
  - the submission runs as PID 1 of its namespace, in a child of this process that waits for it and
    ends the same way it ended; when it ends, everything it forked ends with it;
- when root, a switch to an unprivileged per-slot uid;
- resource limits: address space (memory), CPU seconds, file size, open files, no core dumps;
- the environment reduced to a known-safe set (no inherited secrets);
- stdout/stderr sent to /dev/null (50 MB of printing costs nothing and reaches no one);
- no new privileges, and not dumpable (no other process of the same user may read its memory).

`describe()` reports which of these hold on this machine; the README quotes it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import resource
import signal
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 1, 2, 4, 8, 16384, 1 << 18
SYS_MOUNT_SETATTR, AT_FDCWD, AT_RECURSIVE = 442, -100, 0x8000  # x86_64 and arm64 (Linux ≥ 5.12)
MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOSUID = 0x1, 0x2
PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS = 4, 38
SCRATCH_MB = 64
UID_RANGE = (200_000, 2_000_000_000)  # unprivileged uids no account on the machine uses


def new_uid_base(slots: int) -> int:
    """A random block of `slots` uids for one grading run: each worker slot of each run gets its own
    uid, so leftovers can be found and killed without touching another run's processes."""
    import secrets

    low, high = UID_RANGE
    return low + secrets.randbelow((high - low - slots) // 1024) * 1024

SAFE_ENV_KEYS = ("PATH", "LANG", "LC_ALL", "TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS", "KERAS_BACKEND",
                 "CUDA_VISIBLE_DEVICES", "COURSE_DATASET", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                 "OMP_NUM_THREADS", "PYTHONHASHSEED")


@dataclass(frozen=True)
class Limits:
    """Per-process limits for a submission."""

    wall_s: float = 60.0
    memory_mb: int = 2048  # on top of what the preloaded interpreter already maps
    file_mb: int = 16
    open_files: int = 256


@dataclass
class Confinement:
    """What `confine` managed to apply in this process."""

    namespaces: bool = False
    network_isolated: bool = False
    read_only: bool = False
    private_scratch: bool = False
    own_proc: bool = False
    unprivileged_uid: int | None = None
    hidden: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def safe_environment(scratch: Path) -> dict[str, str]:
    env = {k: os.environ[k] for k in SAFE_ENV_KEYS if k in os.environ}
    env.update(HOME=str(scratch), TMPDIR=str(scratch), PYTHONDONTWRITEBYTECODE="1")
    return env


def _libc():
    return ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


def _mount(libc, source: str, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    if libc.mount(source.encode(), target.encode(), fstype.encode() if fstype else None, flags,
                  data.encode() if data else None) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {target}: {os.strerror(errno)}")


def _vm_size_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


def confine(limits: Limits, scratch: Path, hide: list[Path], uid: int) -> Confinement:
    """Apply every confinement this machine allows to the current (freshly forked) process.

    With namespaces, this process forks: the child returns (as PID 1 of the new PID namespace) and
    runs the submission; this process only waits for it and ends as it ended, never returning.
    """
    state = Confinement()
    os.setsid()
    libc = _libc()
    is_root = os.geteuid() == 0
    flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC | (0 if is_root else CLONE_NEWUSER)
    own_uid, own_gid = os.geteuid(), os.getegid()
    if libc.unshare(flags) == 0:
        state.namespaces = state.network_isolated = True
        if not is_root:
            try:
                Path("/proc/self/setgroups").write_text("deny")
                Path("/proc/self/uid_map").write_text(f"{own_uid} {own_uid} 1")
                Path("/proc/self/gid_map").write_text(f"{own_gid} {own_gid} 1")
            except OSError as error:
                state.problems.append(f"user namespace maps: {error}")
        try:
            _mount(libc, "none", "/", None, MS_REC | MS_PRIVATE)
            for path in hide:
                if path.exists() and path.resolve() != scratch.resolve():
                    _mount(libc, "tmpfs", str(path), "tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY, "size=4k,mode=000")
                    state.hidden.append(str(path))
            _read_only(libc, state)
            owner = f",uid={uid},gid={uid}" if is_root else ""
            _mount(libc, "tmpfs", str(scratch), "tmpfs", MS_NOSUID | MS_NODEV, f"size={SCRATCH_MB}m,mode=0700{owner}")
            state.private_scratch = True
        except OSError as error:
            state.problems.append(str(error))
        _become_pid_one()  # from here on: the child, PID 1 of the new namespace
        try:
            _mount(libc, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
            state.own_proc = True
        except OSError as error:
            state.problems.append(f"no private /proc: {error}")
    else:
        state.problems.append(f"no namespaces ({os.strerror(ctypes.get_errno())}): network and files not hidden")
    os.chdir(scratch)
    if is_root:
        if uid < UID_RANGE[0]:
            raise ValueError(f"refusing to run a submission as uid {uid}")
        if not state.private_scratch:
            os.chown(scratch, uid, uid)
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        state.unprivileged_uid = uid
    _set_limits(limits)
    env = safe_environment(scratch)
    os.environ.clear()
    os.environ.update(env)
    tempfile.tempdir = str(scratch)  # the forkserver already cached its own TMPDIR, which may be read-only now
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an over-long write fails with an error instead
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:  # no setuid binary regains privileges
        state.problems.append("no_new_privs not set")
    if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:  # no process of the same user reads or traces it
        state.problems.append("still dumpable")
    return state


class _MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64), ("propagation", ctypes.c_uint64),
                ("userns_fd", ctypes.c_uint64)]


def _read_only(libc, state: Confinement) -> None:
    """Make every mount of this mount namespace read-only and nosuid (mount_setattr, Linux ≥ 5.12)."""
    attr = _MountAttr(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID, 0, 0, 0)
    if libc.syscall(SYS_MOUNT_SETATTR, AT_FDCWD, b"/", AT_RECURSIVE, ctypes.byref(attr), ctypes.sizeof(attr)) == 0:
        state.read_only = True
    else:
        state.problems.append(f"file system left writable ({os.strerror(ctypes.get_errno())})")


def _become_pid_one() -> None:
    """Fork; the child returns as PID 1 of the new PID namespace. This process waits for it, then ends
    the way it ended (same exit status or signal), so the grader sees the submission's own end."""
    child = os.fork()
    if child == 0:
        return
    try:
        _, status = os.waitpid(child, 0)
    except BaseException:  # noqa: BLE001 - whatever happens, never go on to run the submission here
        os._exit(71)
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 71)


def _set_limits(limits: Limits) -> None:
    memory = _vm_size_bytes() + limits.memory_mb * 1024 * 1024
    cpu = int(limits.wall_s * 2) + 5  # wall time is enforced by the parent; CPU time is a backstop
    for which, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_CPU, cpu),
                         (resource.RLIMIT_FSIZE, limits.file_mb * 1024 * 1024),
                         (resource.RLIMIT_NOFILE, limits.open_files), (resource.RLIMIT_CORE, 0)):
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass


def kill_leftovers(uid: int) -> int:
    """Kill every process still running as the job's uid (forks that outlived the job)."""
    if os.geteuid() != 0 or uid < UID_RANGE[0]:
        return 0
    killed = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid == uid:
                os.kill(int(entry.name), signal.SIGKILL)
                killed += 1
        except (OSError, ValueError):
            continue
    return killed


def describe() -> str:
    """One line on the isolation this machine gives submissions."""
    if os.geteuid() == 0:
        return ("root: private mount, network, PID and IPC namespaces, a read-only file system with hidden paths "
                "covered, a private scratch tmpfs, and a per-slot unprivileged uid")
    return ("unprivileged: user, mount, network, PID and IPC namespaces where the kernel allows them (a read-only "
            "file system with hidden paths covered, a private scratch tmpfs); otherwise only process limits and "
            "a scrubbed environment")
