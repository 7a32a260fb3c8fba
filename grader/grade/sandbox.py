"""Confining one submission's process: limits, a scrubbed environment, and (where Linux allows)
namespaces that leave it nothing to see or touch but its own scratch folder.

`confine(limits, scratch, hide, uid, keep_fds)` runs first thing in the forked child, before any student
code:

- every inherited file descriptor closed but the reply pipe (`keep_fds`): no forkserver, no resource
  tracker, nothing else of the grader's; and multiprocessing's memory of them (the forkserver's
  address, the tracker's pipe, its temp folder) forgotten;
- a new session, so the whole process group can be killed at once;
- where possible (root, or unprivileged user namespaces):
  - private mount, network, PID and IPC namespaces: no network, no other process to see, signal or
    trace (a fresh /proc shows only the submission's own), no shared memory with anyone;
  - the paths in `hide` (solutions, hidden checks, tests, other students' files, the gradebook, the
    temp and home folders) covered by empty tmpfs mounts, and the whole file system made read-only;
    the `visible` folders (the interpreter's: `interpreter_folders`) bound back, read-only, where a
    cover hid them;
  - a /dev of its own holding only null, zero, full, random and urandom (`_private_dev`): no terminal,
    camera, sound card or GPU;
  - a private tmpfs, seen by no other process, as its scratch folder at `SANDBOX_HOME` (/tmp): two
    students of one run never see each other's files, even when they run as the same user, and the
    submission's working folder, HOME and TMPDIR name no path of the grader's;
  - the submission runs as PID 1 of its namespace, in a child of this process that waits for it and
    ends the same way it ended; when it ends, everything it forked ends with it;
- when root, a switch to an unprivileged per-slot uid;
- resource limits: address space (memory), CPU seconds, file size, open files, no core dumps, and,
  with its own uid, RLIMIT_NPROC; the limits of the whole tree of processes (memory, process count)
  are watched from outside by grader.grade.pool with `tree_usage`;
- the environment reduced to a known-safe set (no inherited secrets);
- stdout/stderr sent to /dev/null (50 MB of printing costs nothing and reaches no one);
- a new, empty session keyring (`leave_the_session_keyring`): the grader's keys are not its to read;
- no capability left, in any user namespace (`drop_capabilities`): unprivileged, its own user namespace
  would otherwise let it unmount the covers and make the file system writable again;
- no new privileges, and not dumpable (no other process of the same user may read its memory);
- no unix socket it could connect to a path (`grader.grade.socket_filter`): a socket bound after the
  run listed the machine's, in a folder no cover holds, stays out of its reach.

`describe()` reports which of these hold on this machine; the README quotes it.

`cut_off_the_verifier(hide, visible, writable)` confines the grader's own verifier, which runs no student
code but rebuilds and trains the student's models: network, mount and PID namespaces (no network; the
paths in `hide`, the temp and home folders among them, covered with what it reads bound back; a
read-only file system but the training cache and a private temp tmpfs; PID 2 beside a waiting init), no
capability, no new privileges, not dumpable, failing closed like `confine`; it keeps the instructor's uid.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform
import resource
import signal
import tempfile
from dataclasses import dataclass, field
from errno import EINVAL, ELOOP, ENOSPC, EPERM, EUSERS
from pathlib import Path

from grader.grade.socket_filter import forbid_new_unix_sockets

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 8, 4096, 16384, 1 << 18
SYS_MOUNT_SETATTR, AT_FDCWD, AT_RECURSIVE = 442, -100, 0x8000  # x86_64 and arm64 (Linux ≥ 5.12)
SYS_KEYCTL = {"x86_64": 250, "aarch64": 219, "arm64": 219}.get(platform.machine())
KEYCTL_JOIN_SESSION_KEYRING, ENOSYS = 1, 38
MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOSUID = 0x1, 0x2
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 4, 24, 38
LINUX_CAPABILITY_VERSION_3 = 0x20080522
SCRATCH_MB = 64
SANDBOX_HOME = Path("/tmp")  # where the private scratch tmpfs is mounted, inside the namespaces
# Where it goes instead when /tmp holds what the submission's process must still read (a course or a venv
# cloned under /tmp): mounting the scratch there would hide the interpreter's and the grader's own files.
SCRATCH_MOUNT_POINTS = (SANDBOX_HOME, Path("/var/tmp"), Path("/mnt"), Path("/srv"), Path("/media"))


def scratch_mount_point(keep: tuple[Path, ...]) -> Path | None:
    """The first of SCRATCH_MOUNT_POINTS that exists and holds none of the folders in `keep` (the
    interpreter's folders and the grader's package), or None."""
    kept = [Path(os.path.realpath(k)) for k in keep]
    for point in SCRATCH_MOUNT_POINTS:
        if point.is_dir() and not any(k.is_relative_to(point) for k in kept):
            return point
    return None
UID_RANGE = (200_000, 2_000_000_000)  # unprivileged uids no account on the machine uses


def new_uid_base(slots: int) -> int:
    """A random block of `slots` uids for one grading run: each worker slot of each run gets its own
    uid, so leftovers can be found and killed without touching another run's processes."""
    import secrets

    low, high = UID_RANGE
    return low + secrets.randbelow((high - low - slots) // 1024) * 1024

SAFE_ENV_KEYS = ("PATH", "LANG", "LC_ALL", "TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS", "KERAS_BACKEND",
                 "CUDA_VISIBLE_DEVICES", "COURSE_DATASET", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                 "OMP_NUM_THREADS", "PYTHONHASHSEED", "TF_NUM_INTRAOP_THREADS")


@dataclass(frozen=True)
class Limits:
    """Limits for a submission: per process (address space, CPU, files) and for its whole tree of
    processes (memory beyond the preloaded interpreter, process count: see `tree_usage`)."""

    wall_s: float = 60.0
    memory_mb: int = 2048  # on top of what the preloaded interpreter already maps
    file_mb: int = 16
    open_files: int = 256
    processes: int = 32  # in the whole tree (an honest submission runs 2: the waiter and itself)
    tasks: int = 512  # processes and threads of the submission's uid (RLIMIT_NPROC, when it has its own uid)
    namespaces_required: bool = False  # the machine gave namespaces when the run started (namespaces_available)


class SandboxNotSealed(RuntimeError):
    """The namespaces were made but a step of sealing them failed (a mount, the read-only remount, the
    private /proc, no_new_privs, ...): the submission must not run in a half-built sandbox."""


# unshare's refusals that say the machine gives no namespaces to this user (policy, not a passing shortage):
# EPERM (no privilege, or unprivileged user namespaces turned off), EINVAL (a namespace type the kernel
# lacks), ENOSPC (also what a namespace count set to 0 gives), EUSERS (nested too deep).
NAMESPACES_REFUSED = (EPERM, EINVAL, ENOSPC, EUSERS)


def _confinement_namespaces(is_root: bool) -> int:
    """The namespaces `confine` makes (and `namespaces_available` tries): a user namespace too when not root."""
    return CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC | (0 if is_root else CLONE_NEWUSER)


def namespaces_available() -> bool:
    """Whether this machine gives this user the namespaces `confine` makes: `unshare` tried in a
    short-lived fork (whose namespaces end with it). The grader asks once, when a run (or a cluster
    worker) starts, before its threads do: where the machine gives them, a later refusal must not run a
    submission without them (`Limits.namespaces_required`): it is refused instead, as an unsealed sandbox
    is. A passing shortage here (ENOMEM, EAGAIN) counts as given: the jobs then fail closed rather than
    the whole run falling back. Where they are refused as a matter of policy (NAMESPACES_REFUSED: a kernel
    that does not give them to an unprivileged user), the documented fallback stays."""
    import warnings

    flags = _confinement_namespaces(os.geteuid() == 0)
    libc = _libc()  # loaded before the fork
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # a fork of a threaded process: the child only
        child = os.fork()  # makes one call through ctypes and exits
    if child == 0:
        refused = 0 if libc.unshare(flags) == 0 else ctypes.get_errno()
        os._exit(2 if refused in NAMESPACES_REFUSED else 0)
    _, status = os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status) == 0


def refuse_unsealed(state: Confinement) -> None:
    """Raise SandboxNotSealed when `state` has namespaces and any problem: fail closed. Without
    namespaces at all (a kernel that refuses them to an unprivileged user) the documented fallback —
    process limits and a scrubbed environment — stays."""
    if state.namespaces and state.problems:
        raise SandboxNotSealed(f"the sandbox could not be sealed ({'; '.join(state.problems)}); "
                               "the submission was not run")


@dataclass
class Confinement:
    """What `confine` managed to apply in this process."""

    namespaces: bool = False
    network_isolated: bool = False
    read_only: bool = False
    private_scratch: bool = False
    own_proc: bool = False
    private_dev: bool = False  # /dev holds only null, zero, full, random and urandom (`_private_dev`)
    no_capabilities: bool = False  # in any user namespace, its own included (`drop_capabilities`)
    own_keyring: bool = False  # a new, empty session keyring (`leave_the_session_keyring`)
    no_unix_sockets: bool = False  # it can make no unix socket that could reach a path (socket_filter)
    unprivileged_uid: int | None = None
    hidden: int = 0  # how many paths were covered (a count: their names stay out of the submission's process)
    problems: list[str] = field(default_factory=list)
    workdir: Path = SANDBOX_HOME  # the submission's working folder, HOME and TMPDIR


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


def vm_size_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


def confine(limits: Limits, scratch: Path, hide: list[Path], uid: int, keep_fds: tuple[int, ...] = (),
            visible: tuple[Path, ...] = ()) -> Confinement:
    """Apply every confinement this machine allows to the current (freshly forked) process.

    With namespaces, this process forks: the child returns (as PID 1 of the new PID namespace) and
    runs the submission; this process only waits for it and ends as it ended, never returning.
    `scratch` is the submission's folder only where there are no namespaces (see `Confinement.workdir`).
    `visible` are folders that stay readable even inside a hidden one (the interpreter's, see
    `interpreter_folders`, and the grader's package); hidden paths inside them stay hidden.
    """
    state = Confinement(workdir=scratch)
    close_inherited_descriptors(keep_fds)
    forget_the_grader()
    os.setsid()
    libc = _libc()
    is_root = os.geteuid() == 0
    flags = _confinement_namespaces(is_root)
    own_uid, own_gid = os.geteuid(), os.getegid()
    if libc.unshare(flags) == 0:
        state.namespaces = state.network_isolated = True
        if not is_root:
            _map_own_ids(state, own_uid, own_gid)
        try:
            _mount(libc, "none", "/", None, MS_REC | MS_PRIVATE)
            state.hidden = len(_cover_all(libc, hide, visible))
            _private_dev(libc)
            state.private_dev = True
            _read_only(libc, state)
            from grader.manifest import PACKAGE_DIR

            point = scratch_mount_point((*visible, PACKAGE_DIR))
            if point is None:
                raise OSError("no folder to hold the private scratch without hiding the interpreter's files")
            owner = f",uid={uid},gid={uid}" if is_root else ""
            _mount(libc, "tmpfs", str(point), "tmpfs", MS_NOSUID | MS_NODEV,
                   f"size={SCRATCH_MB}m,mode=0700{owner}")
            state.private_scratch, state.workdir = True, point
        except OSError as error:
            state.problems.append(str(error))
        _become_pid_one()  # from here on: the child, PID 1 of the new namespace
        try:
            _mount(libc, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
            state.own_proc = True
        except OSError as error:
            state.problems.append(f"no private /proc: {error}")
        _empty_bounding_set(libc, state)  # while CAP_SETPCAP is still held (root's, or its user namespace's)
    else:
        state.problems.append(f"no namespaces ({os.strerror(ctypes.get_errno())}): network and files not hidden")
        if limits.namespaces_required:
            raise SandboxNotSealed(f"the namespaces this machine gave when the run started were refused "
                                   f"({state.problems[-1]}); the submission was not run")
    refuse_unsealed(state)
    os.chdir(state.workdir)
    if is_root:
        if uid < UID_RANGE[0]:
            raise ValueError(f"refusing to run a submission as uid {uid}")
        if not state.private_scratch:
            os.chown(state.workdir, uid, uid)
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        state.unprivileged_uid = uid
    leave_the_session_keyring(libc, state)
    drop_capabilities(libc, state)
    _set_limits(limits, own_uid=state.unprivileged_uid is not None)
    env = safe_environment(state.workdir)
    os.environ.clear()
    os.environ.update(env)

    tempfile.tempdir = None  # found again from TMPDIR, the workdir
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an over-long write fails with an error instead
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:  # no setuid binary regains privileges
        state.problems.append("no_new_privs not set")
    else:  # no unix socket of the machine's in reach, whenever it was bound (grader.grade.socket_filter)
        refused = forbid_new_unix_sockets(libc)
        if refused:
            state.problems.append(refused)
        else:
            state.no_unix_sockets = True
    if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:  # no process of the same user reads or traces it
        state.problems.append("still dumpable")
    refuse_unsealed(state)
    return state


def close_inherited_descriptors(keep: tuple[int, ...]) -> None:
    """Close every file descriptor but 0-2 and `keep`; stdin reads /dev/null."""
    low = 3
    for fd in sorted(k for k in set(keep) if k >= 3):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, max(os.sysconf("SC_OPEN_MAX"), 1 << 16))
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)


def forget_the_grader() -> None:
    """Drop what multiprocessing remembers of the grader's processes: the forkserver's socket address and
    pipe, the resource tracker's pipe (closed by now) and the grader's multiprocessing temp folder; new
    processes are forked."""
    import multiprocessing.forkserver
    import multiprocessing.process
    import multiprocessing.resource_tracker

    server = multiprocessing.forkserver._forkserver
    server._forkserver_address = server._forkserver_alive_fd = server._forkserver_pid = None
    server._inherited_fds = None
    tracker = multiprocessing.resource_tracker._resource_tracker
    tracker._fd = tracker._pid = None
    multiprocessing.process.current_process()._config.pop("tempdir", None)
    # A forkserver of the submission's own would need a unix socket, which its process cannot make
    # (grader.grade.socket_filter): its multiprocessing forks, as it did by default before Python 3.14.
    multiprocessing.set_start_method("fork", force=True)


def verifier_visible() -> list[Path]:
    """The folders the grader's verifier reads wherever they lie, even inside a hidden one: the
    interpreter's (`interpreter_folders`) and the grader's package (with the hidden checks it runs)."""
    from grader.manifest import PACKAGE_DIR

    return list(dict.fromkeys([*interpreter_folders(), PACKAGE_DIR.resolve()]))


def verifier_writable() -> list[Path]:
    """The folders the grader's verifier writes: the training cache (grader.checks.training_cache), made
    here (mode 0700) when caching is on and it does not exist yet; none when it is off or cannot be made.
    It imports numpy: call it where numpy is loaded already (a process that starts numpy's threads
    before `cut_off_the_verifier` cannot make a user namespace)."""
    from grader.checks.training_cache import cache_folder

    folder = cache_folder()
    if folder is None:
        return []
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        return [folder.resolve()]
    except OSError:
        return []


def cut_off_the_verifier(hide: list[Path] | tuple[Path, ...] = (), visible: tuple[Path, ...] | None = None,
                         writable: tuple[Path, ...] | list[Path] = (), namespaces_required: bool = False) -> Confinement:
    """Confine the grader's own verifier (grader.grade.worker.verify_student) in its fresh fork, once it has
    read the trusted dataset. It runs no student code, but it rebuilds and trains the student's models with
    Keras. Where Linux gives namespaces (root, or unprivileged user namespaces keeping the instructor's
    uid), it gets mount, network and PID namespaces of its own:

    - no network: nothing a model's config makes Keras do can reach a host;
    - the paths in `hide` (the other students' files, the gradebook, the solutions, the temp and home
      folders, ...) covered by empty tmpfs mounts, the `visible` folders (default `verifier_visible`: the
      interpreter's, the grader's package with its hidden checks) bound back where a cover hid them, as
      `confine` does;
    - the whole file system read-only but the `writable` folders (`verifier_writable`: the training
      cache), each bound to itself and made writable again;
    - a private tmpfs at the first free SCRATCH_MOUNT_POINTS as its temp folder (TMPDIR) and working
      folder;
    - PID 2 of its own PID namespace with a private /proc (it sees no other process), beside an init that
      only waits for it (`_become_pid_two`: the process that called this ends as PID 2 ends);
    - a new, empty session keyring (`leave_the_session_keyring`);
    - no capability (`drop_capabilities`): as root, uid 0 with only the owner's access to files; no
      mount of its namespaces can be undone;
    - no new privileges, not dumpable.

    Fail closed as `confine` does: SandboxNotSealed when the namespaces were made but a step failed, or
    when they were refused though `namespaces_required` (the machine gave them when the run started). The
    uid stays the instructor's."""
    state = Confinement(workdir=Path.cwd())
    libc = _libc()
    is_root = os.geteuid() == 0
    own_uid, own_gid = os.geteuid(), os.getegid()
    visible = tuple(verifier_visible() if visible is None else visible)
    writable = tuple(Path(w) for w in writable if _stat_says_present(Path(w)))
    if libc.unshare(CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWPID | (0 if is_root else CLONE_NEWUSER)) == 0:
        state.namespaces = state.network_isolated = True
        if not is_root:  # the same uid and gid inside: files are read and written as before
            _map_own_ids(state, own_uid, own_gid)
        try:
            _mount(libc, "none", "/", None, MS_REC | MS_PRIVATE)
            state.hidden = len(_cover_all(libc, [Path(p) for p in hide], tuple(visible), writable))
            _read_only(libc, state)
            for folder in writable:
                _writable_again(libc, folder)
            from grader.manifest import PACKAGE_DIR

            point = scratch_mount_point((*visible, *writable, PACKAGE_DIR))
            if point is None:
                raise OSError("no folder to hold the private temp folder without hiding the verifier's own files")
            _mount(libc, "tmpfs", str(point), "tmpfs", MS_NOSUID | MS_NODEV, f"size={SCRATCH_MB}m,mode=0700")
            state.private_scratch, state.workdir = True, point
        except OSError as error:
            state.problems.append(str(error))
    else:
        state.problems.append(f"no namespaces ({os.strerror(ctypes.get_errno())}): the verifier keeps the network")
        if namespaces_required:
            raise SandboxNotSealed(f"the namespaces this machine gave when the run started were refused "
                                   f"({state.problems[-1]})")
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:  # both kept by the forks below
        state.problems.append("no_new_privs not set")
    if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        state.problems.append("still dumpable")
    refuse_unsealed(state)
    if state.namespaces:
        _become_pid_two(libc)  # from here on: the grandchild, PID 2 of the new namespace
        try:
            _mount(libc, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
            state.own_proc = True
        except OSError as error:
            state.problems.append(f"no private /proc: {error}")
        _empty_bounding_set(libc, state)
        leave_the_session_keyring(libc, state)
        drop_capabilities(libc, state)
        refuse_unsealed(state)
    if state.private_scratch:
        os.chdir(state.workdir)  # no relative path reaches a covered folder through the old working folder
        os.environ["TMPDIR"] = str(state.workdir)
        tempfile.tempdir = None  # found again from TMPDIR
    return state


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _empty_bounding_set(libc, state: Confinement) -> None:
    """Remove every capability from the bounding set (needs CAP_SETPCAP): no later execve gains one,
    even as uid 0. A refusal is noted in `state.problems`."""
    for number in range(64):
        if libc.prctl(PR_CAPBSET_DROP, number, 0, 0, 0) != 0:
            errno = ctypes.get_errno()
            if errno != 22:  # EINVAL: past the kernel's last capability, all dropped
                state.problems.append(f"capability {number} left in the bounding set ({os.strerror(errno)})")
            return


def leave_the_session_keyring(libc, state: Confinement) -> None:
    """Join a new, empty session keyring. A fork inherits the session keyring, and whoever possesses it
    reads the keys in it whatever its uid (a login's Kerberos tickets, what a tool cached with keyctl):
    the grader's would be the submission's. A kernel without keyrings (ENOSYS) has none to leave; any
    other refusal is noted in `state.problems`."""
    if SYS_KEYCTL is None:
        state.problems.append(f"the session keyring was not left (no keyctl number for {platform.machine()})")
    elif libc.syscall(SYS_KEYCTL, KEYCTL_JOIN_SESSION_KEYRING, None) < 0 and ctypes.get_errno() != ENOSYS:
        state.problems.append(f"the session keyring was not left ({os.strerror(ctypes.get_errno())})")
    else:
        state.own_keyring = True


def drop_capabilities(libc, state: Confinement) -> None:
    """Give up every capability this process holds: effective, permitted, inheritable (and with them the
    ambient ones). In a user namespace of its own a process holds every capability over that namespace
    and its mounts: it could unmount the tmpfs covering a hidden folder, or make the read-only file
    system writable again, as the instructor's uid. Without capabilities it can do neither (and a user
    namespace it makes anew gets only locked copies of these mounts). Sets `state.no_capabilities`, or
    notes a problem when any capability is left."""
    header, data = _CapHeader(LINUX_CAPABILITY_VERSION_3, 0), (_CapData * 2)()
    if libc.capset(ctypes.byref(header), data) != 0:
        state.problems.append(f"capabilities kept ({os.strerror(ctypes.get_errno())})")
        return
    if libc.capget(ctypes.byref(header), data) != 0 or any(
            d.effective or d.permitted or d.inheritable for d in data):
        state.problems.append("capabilities kept after capset")
        return
    state.no_capabilities = True


def _writable_again(libc, folder: Path) -> None:
    """Clear the read-only flag `_read_only` set on `folder`'s own mount (not on the mounts under it)."""
    attr = _MountAttr(0, MOUNT_ATTR_RDONLY, 0, 0)
    if libc.syscall(SYS_MOUNT_SETATTR, AT_FDCWD, str(folder).encode(), 0, ctypes.byref(attr), ctypes.sizeof(attr)) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{folder} left read-only: {os.strerror(errno)}")


def _cover_all(libc, hide: list[Path], visible: tuple[Path, ...], writable: tuple[Path, ...] = ()) -> list[Path]:
    """Cover every path in `hide` that exists (`_cover`); bind back each `visible` folder that a cover hid,
    and each `writable` folder wherever it lies (a mount of its own: after `_read_only`, `_writable_again`
    makes it alone writable). Returns the paths covered.

    First the hidden folders that hold a visible or writable one (the temp and home folders), then those
    folders bound back inside them, then every other hidden path: one inside a folder bound back (the
    hidden checks in the grader's package) is covered in the bound copy too. A covered folder that holds
    a place for the private scratch (/var: /var/tmp) is a host too, so that the place is made again
    inside the cover."""
    originals = _open_folders((*visible, *writable))  # before anything is covered
    try:
        hosts = [path for path in hide if any(v.is_relative_to(path) for v in originals)
                 or any(p.is_relative_to(path) and p != path for p in SCRATCH_MOUNT_POINTS)]
        covered = []
        for path in hosts:
            if _exists(path):
                _cover(libc, path, hosts=True)
                covered.append(path)
        for point in SCRATCH_MOUNT_POINTS:
            if any(point.is_relative_to(path) and point != path for path in covered):
                os.makedirs(point, mode=0o755, exist_ok=True)
        for folder, fd in originals.items():
            if folder in writable or any(folder.is_relative_to(path) for path in covered):
                os.makedirs(folder, exist_ok=True)
                _mount(libc, f"/proc/self/fd/{fd}", str(folder), None, MS_BIND)
        for path in hide:
            if path not in hosts and _exists(path):
                _cover(libc, path)
                covered.append(path)
        return covered
    finally:  # no descriptor of these survives into the confined process, whatever failed
        for fd in originals.values():
            os.close(fd)


HARMLESS_DEVICES = ("null", "zero", "full", "random", "urandom")


def _private_dev(libc) -> None:
    """Put a tmpfs over /dev holding only the HARMLESS_DEVICES (each bound from the real one) and the links
    fd, stdin, stdout and stderr into /proc/self/fd. Gone are the terminals (an unprivileged instructor's
    own /dev/pts/N, where a submission running as that uid could print into the instructor's screen and
    read what is typed), the devices a desktop session's uid may open (camera, sound card, GPU), and
    /dev/shm."""
    devices = {name: os.open(f"/dev/{name}", os.O_PATH) for name in HARMLESS_DEVICES}  # before /dev is covered
    try:
        _mount(libc, "tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=0755")
        for name, fd in devices.items():
            os.close(os.open(f"/dev/{name}", os.O_CREAT | os.O_WRONLY, 0o666))
            _mount(libc, f"/proc/self/fd/{fd}", f"/dev/{name}", None, MS_BIND)
        for link, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                             ("stderr", "/proc/self/fd/2")):
            os.symlink(target, f"/dev/{link}")
    finally:
        for fd in devices.values():
            os.close(fd)


def _exists(path: Path) -> bool:
    """Whether a path to cover exists. False when it does not (ENOENT, ENOTDIR, ELOOP, as `Path.exists`
    says) or when this process cannot reach it (EACCES: an unprivileged instructor's, whose submissions run
    as that same uid and cannot reach it either). Any other error (EIO, ENOMEM) raises the OSError, which
    makes the confinement refuse the run: a cover skipped on a transient error would leave the path in
    the submission's sight."""
    try:
        os.stat(path)
        return True
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return False
    except OSError as error:
        if error.errno == ELOOP:
            return False
        raise


def _stat_says_present(path: Path) -> bool:
    """Whether a folder to make writable exists; one that cannot be looked at stays read-only (the safe
    side: the verifier then trains without its cache)."""
    try:
        return _exists(path)
    except OSError:
        return False


def interpreter_folders() -> list[Path]:
    """The folders this Python runs from: its prefixes, standard library and site-packages, and every
    folder on sys.path (resolved) except those under the temp folder that no prefix holds. Where a
    hidden folder holds one of them (pyenv, conda or a venv under the home folder), it stays visible,
    read-only, inside the cover.

    The exception keeps the answer a property of the installation, not of the process: a process that
    inherited a temporary sys.path entry (a Dask worker spawned by a test that had put its tmp_path on
    sys.path) would otherwise keep that folder visible, move the private scratch off /tmp, and let the
    same submission see a different machine on a cluster than on one machine."""
    import site
    import sys
    import sysconfig

    prefixes = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    fixed = [*prefixes, *sysconfig.get_paths().values(), *site.getsitepackages()]
    installed = [Path(p).resolve() for p in prefixes if p]
    temp = Path(tempfile.gettempdir()).resolve()

    def runtime_only(folder: Path) -> bool:
        return folder.is_relative_to(temp) and not any(folder.is_relative_to(p) for p in installed)

    found = []
    for name in [*fixed, *sys.path]:
        if name and os.path.isdir(name):
            folder = Path(name).resolve()
            if folder not in found and (name in fixed or not runtime_only(folder)):
                found.append(folder)
    return found


def _open_folders(folders: tuple[Path, ...]) -> dict[Path, int]:
    """An O_PATH descriptor of each folder: a handle on it that a mount over its parent does not hide."""
    opened = {}
    for folder in folders:
        try:
            opened[Path(folder)] = os.open(folder, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError:
            continue
    return opened


def _cover(libc, path: Path, hosts: bool = False) -> None:
    """Hide `path`: an empty read-only tmpfs over a folder, /dev/null over a file (a worktree's `.git`).
    A tmpfs that `hosts` folders kept visible inside it is left writable here (made read-only with the
    rest of the file system), so their mount points can be made."""
    if path.is_dir() and hosts:
        _mount(libc, "tmpfs", str(path), "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755")
    elif path.is_dir():
        _mount(libc, "tmpfs", str(path), "tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY, "size=4k,mode=000")
    else:
        _mount(libc, os.devnull, str(path), None, MS_BIND)


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
    _end_as(status)


def _become_pid_two(libc) -> None:
    """Fork twice; the grandchild returns as PID 2 of the new PID namespace. PID 1 ignores every signal it
    has no handler for, even the kernel's SIGXCPU (RLIMIT_CPU), which must end the verifier: so PID 1
    only waits for PID 2 and reports its end (a signal as exit status 128 + its number); this process
    waits for PID 1 and ends the way PID 2 ended. PID 1 dies with this process (a parent-death signal),
    and every process of the namespace with PID 1."""
    init = os.fork()
    if init == 0:
        try:
            if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
                os._exit(71)  # could not be tied to its parent: run nothing
            worker = os.fork()
            if worker == 0:
                return
            _, status = os.waitpid(worker, 0)
            os._exit(128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.waitstatus_to_exitcode(status))
        except BaseException:  # noqa: BLE001 - PID 1 never goes on to do the verifier's work
            os._exit(71)
    try:
        _, status = os.waitpid(init, 0)
    except BaseException:  # noqa: BLE001 - whatever happens, never go on to do the work here
        os._exit(71)
    code = os.waitstatus_to_exitcode(status)
    if 128 < code < 128 + signal.NSIG:
        _end_as(code - 128, signalled=True)
    _end_as(status)


def _end_as(status: int, signalled: bool = False) -> None:
    """End this process as a child ended: `status` as os.waitpid gives it, or the number of the signal
    that ended it (`signalled`): the same exit status, or the same signal (without a core dump)."""
    number = status if signalled else os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    if number is not None:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)
        os._exit(71)  # a signal that does not end a process by default (none that ends a child does)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 71)


def _set_limits(limits: Limits, own_uid: bool) -> None:
    memory = vm_size_bytes() + limits.memory_mb * 1024 * 1024
    cpu = int(limits.wall_s * 2) + 5  # wall time is enforced by the parent; CPU time is a backstop
    per_uid = [(resource.RLIMIT_NPROC, limits.tasks)] if own_uid else []  # else it would count the instructor's
    for which, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_CPU, cpu),
                         (resource.RLIMIT_FSIZE, limits.file_mb * 1024 * 1024),
                         (resource.RLIMIT_NOFILE, limits.open_files), (resource.RLIMIT_CORE, 0), *per_uid):
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass


def _map_own_ids(state, uid: int, gid: int) -> None:
    """In a fresh user namespace, map the caller's own uid and gid onto themselves (files are read and
    written as before); a refusal is noted in `state.problems`."""
    try:
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    except OSError as error:
        state.problems.append(f"user namespace maps: {error}")


def tree_usage(root: int, baseline_kb: int) -> tuple[int, int]:
    """(processes, memory in kB) of `root` and every process descended from it. A process's memory is
    its anonymous resident memory beyond `baseline_kb`, what a fresh fork of the forkserver already
    holds (shared with it). /proc/PID/status is read, not smaps: that is readable for every process
    of the tree and costs microseconds, where smaps costs ~40 ms for a process with TensorFlow loaded."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    tree, stack = [], [root]
    while stack:
        pid = stack.pop()
        tree.append(pid)
        stack.extend(children.get(pid, []))
    return len(tree), sum(max(0, anonymous_kb(pid) - baseline_kb) for pid in tree)


def anonymous_kb(pid: int) -> int:
    """The anonymous resident memory of `pid` in kB (0 if it cannot be read)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return next((int(line.split()[1]) for line in status if line.startswith("RssAnon:")), 0)
    except (OSError, ValueError, IndexError):
        return 0


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
    """One line on the isolation this machine gives submissions: what it gives now (namespaces_available),
    not what it would give with namespaces (as root without them, the line claimed them all the same)."""
    if os.geteuid() == 0 and not namespaces_available():
        return ("root WITHOUT namespaces (this machine refused them): a per-slot unprivileged uid, process limits "
                "and a scrubbed environment only; the network, and every file other users may read (solutions "
                "and hidden checks too, unless their modes forbid it), are within a submission's reach")
    if os.geteuid() == 0:
        return ("root: private mount, network, PID and IPC namespaces, a read-only file system with hidden paths "
                "covered, a private scratch tmpfs, and a per-slot unprivileged uid, no capability, no unix socket of "
                "its own")
    return ("unprivileged: user, mount, network, PID and IPC namespaces where the kernel allows them (a read-only "
            "file system with hidden paths covered, a private scratch tmpfs, no capability, no unix socket of its own); "
            "otherwise only process limits and a scrubbed environment")
