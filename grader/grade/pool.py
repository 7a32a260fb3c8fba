"""Starting graded processes: a forkserver with TensorFlow preloaded, and running one job in it.

The forkserver pays TensorFlow's import (≈5 s, ≈600 MB) once; every job is a fresh fork of it, so
each submission still gets its own process. The forkserver is started with a scrubbed environment,
so no secret of the instructor's shell is even in its memory.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import multiprocessing.forkserver
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from grader.grade import cpu_share
from grader.grade.sandbox import Limits, anonymous_kb, kill_leftovers, tree_usage

MAX_REPLY_BYTES = 64 * 1024 * 1024
_context = None


def context():
    """The forkserver context, started on first use with TensorFlow preloaded."""
    global _context
    if _context is None:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["grader.grade.preload"])
        saved = dict(os.environ)
        from grader.grade.sandbox import SAFE_ENV_KEYS

        # The forkserver (and multiprocessing's resource tracker) must not keep the caller's stdout and
        # stderr open: a caller reading our output to EOF would wait for them.
        saved_fds = [os.dup(1), os.dup(2)]
        saved_cwd = os.getcwd()
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.environ.clear()
            # COURSE_TRAINING_CACHE reaches the trusted verifiers forked from here, never a submission (whose
            # environment is SAFE_ENV_KEYS alone).
            os.environ.update({k: v for k, v in saved.items()
                               if k in SAFE_ENV_KEYS or k.startswith(("PYTHON", "VIRTUAL_ENV", "COURSE_TRAINING_CACHE"))})
            os.environ.setdefault("PATH", "/usr/bin:/bin")
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            # Started from the grader's own parent folder: the forkserver's `python -c` puts its working
            # folder first on sys.path, and a `grader/` copy there (a Gradescope bundle's source, run
            # from that folder) must not be the grader every graded process runs.
            from grader.manifest import PACKAGE_DIR

            os.chdir(PACKAGE_DIR.parent)
            multiprocessing.forkserver.ensure_running()
        finally:
            os.chdir(saved_cwd)
            os.dup2(saved_fds[0], 1)
            os.dup2(saved_fds[1], 2)
            for fd in (*saved_fds, devnull):
                os.close(fd)
            os.environ.clear()
            os.environ.update(saved)
        atexit.register(shutdown)
        _context = ctx
    return _context


def shutdown() -> None:
    """Stop the forkserver (it would otherwise outlive a caller that was killed or exited)."""
    global _context
    server = multiprocessing.forkserver._forkserver
    pid = getattr(server, "_forkserver_pid", None)
    if _context is not None and pid:
        with contextlib.suppress(OSError):
            os.close(server._forkserver_alive_fd)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
        server._forkserver_pid = server._forkserver_alive_fd = server._forkserver_address = None
    _context = None


def forkserver_folder() -> Path | None:
    """The folder holding the forkserver's socket (multiprocessing's temp folder), once it runs."""
    address = getattr(multiprocessing.forkserver._forkserver, "_forkserver_address", None)
    return Path(address).parent if isinstance(address, str) and address.startswith("/") else None


@dataclass
class JobOutcome:
    """How a job's process ended: `reply` is its message if it sent one."""

    reply: bytes | None
    status: str  # "ok", "timed out", "limit exceeded", "crashed", "killed", "exited early", "reply too large"
    detail: str
    seconds: float


def run_job(target, job, wall_s: float, uid: int | None = None) -> JobOutcome:
    """Run `target(job, conn)` in a fresh forked process; wait at most `wall_s`; kill what is left."""
    return run_process(target, job, [wall_s], uid)[0]


WATCH_EVERY_S = 0.2


class _TreeWatch:
    """Whether the process tree of a job has gone over its limits for the whole tree (`Limits.memory_mb`
    of memory beyond the preloaded interpreter, `Limits.processes` processes)."""

    def __init__(self, pid: int, limits: Limits) -> None:
        self.pid, self.limits = pid, limits
        server = getattr(multiprocessing.forkserver._forkserver, "_forkserver_pid", None)
        self.baseline_kb = anonymous_kb(server) if server else 0

    def exceeded(self) -> str | None:
        processes, memory_kb = tree_usage(self.pid, self.baseline_kb)
        if processes > self.limits.processes:
            return f"the submission started more than {self.limits.processes} processes"
        if memory_kb > self.limits.memory_mb * 1024:
            return (f"the submission's processes together used more than {self.limits.memory_mb:,} MB of memory "
                    f"({memory_kb // 1024:,} MB)")
        return None


def _wait(receiver, wall_s: float, watch: _TreeWatch | None) -> bool | str:
    """True when a reply (or EOF) is there, False after `wall_s`, or why the tree went over its limits."""
    if watch is None:
        return receiver.poll(wall_s)
    deadline = time.monotonic() + wall_s
    while True:
        remaining = deadline - time.monotonic()
        if receiver.poll(max(0.0, min(WATCH_EVERY_S, remaining))):
            return True
        reason = watch.exceeded()
        if reason:
            return reason
        if remaining <= WATCH_EVERY_S:
            return False


def run_process(target, job, waits: list[float], uid: int | None = None,
                tree_limits: Limits | None = None) -> list[JobOutcome]:
    """Run `target(job, conn)`, which sends one reply per entry of `waits`, each within its time.

    Returns one outcome per reply received; if the process fails to send one in time (or dies), or
    its whole tree of processes goes over `tree_limits`, the last outcome says how ("limit exceeded"),
    and the process (with anything it forked) is killed.
    """
    outcomes: list[JobOutcome] = []

    def receive_all(channel: Channel) -> None:
        for wait_s in waits:
            began = time.perf_counter()
            outcomes.append(JobOutcome(channel.receive(wait_s), "ok", "", time.perf_counter() - began))

    ended = run_dialogue(target, job, receive_all, uid, tree_limits)
    if ended is not None:
        outcomes.append(JobOutcome(None, ended.status, ended.detail,
                                   ended.seconds - sum(o.seconds for o in outcomes)))
    return outcomes


class ProcessEnded(Exception):
    """The process of a dialogue stopped answering: `status` and `detail` as in JobOutcome."""

    def __init__(self, status: str, detail: str) -> None:
        super().__init__(status, detail)
        self.status, self.detail = status, detail


class Channel:
    """The grader's end of a dialogue with one process: send a message, receive its answer in time."""

    def __init__(self, connection, watch: _TreeWatch | None = None) -> None:
        self._connection, self._watch = connection, watch

    def send(self, message: bytes) -> None:
        try:
            self._connection.send_bytes(message)
        except OSError:  # the process is gone: its answer (EOF) says how
            pass

    def receive(self, wait_s: float) -> bytes:
        """The next message, within `wait_s` seconds; ProcessEnded if none comes."""
        answered = _wait(self._connection, max(0.0, wait_s), self._watch)  # True on a message, and on EOF
        if isinstance(answered, str):
            raise ProcessEnded("limit exceeded", f"stopped: {answered}")
        if not answered:
            raise ProcessEnded("timed out", f"stopped after the {wait_s:g} s time limit (an endless loop?)")
        try:
            return self._connection.recv_bytes(MAX_REPLY_BYTES)
        except EOFError:
            raise ProcessEnded("ended", "") from None
        except OSError as error:
            raise ProcessEnded("reply too large", f"the process sent more than {MAX_REPLY_BYTES:,} bytes "
                               f"({error})") from None

    def ask(self, message: bytes, wait_s: float) -> bytes:
        self.send(message)
        return self.receive(wait_s)


@dataclass
class DialogueEnd:
    """How a dialogue's process stopped answering (see `run_dialogue`)."""

    status: str
    detail: str
    seconds: float


def run_dialogue(target, job, talk, uid: int | None = None, tree_limits: Limits | None = None) -> DialogueEnd | None:
    """Run `target(job, conn)` in a fresh forked process and `talk(channel)` with it over one duplex pipe.

    `talk` sends messages and receives the answers (Channel); when the process fails to answer in time,
    dies, or its whole tree of processes goes over `tree_limits` ("limit exceeded"), `Channel.receive`
    raises ProcessEnded, `talk` stops, and the result says how. When `talk`
    returns, the process is given 5 s to end. Either way, the process (with anything it forked) is
    killed. Returns None when `talk` finished. A confined job (one with a `uid`) runs in a control group
    of its own, for an equal share of the CPU (grader.grade.cpu_share).
    """
    ctx = context()
    mine, theirs = ctx.Pipe(duplex=True)
    group = cpu_share.group_for(uid) if uid is not None else None  # an equal share of the CPU per confined job
    process = ctx.Process(target=cpu_share.joined, args=(group, target, job, theirs), daemon=True)
    started = time.perf_counter()
    process.start()
    theirs.close()
    watch = _TreeWatch(process.pid, tree_limits) if tree_limits else None
    failure: ProcessEnded | None = None
    try:
        talk(Channel(mine, watch))
    except ProcessEnded as ended:
        failure = ended
    finally:
        mine.close()  # a process waiting for the next message reads EOF and ends
        process.join(timeout=0.0 if failure and failure.status in ("timed out", "limit exceeded") else 5.0)
        if process.is_alive():
            for child in child_pids(process.pid):  # the submission itself: PID 1 of its own namespace
                _kill(child)
            process.kill()
            _kill_group(process.pid)
            process.join(5.0)
        if uid is not None:
            kill_leftovers(uid)  # confined processes: everything still running as the job's uid
        cpu_share.release(group)
    if failure is None:
        return None
    status, detail = failure.status, failure.detail
    if status == "ended":
        status, detail = _classify_exit(process.exitcode)
    return DialogueEnd(status, detail, time.perf_counter() - started)


def _classify_exit(code: int | None) -> tuple[str, str]:
    if code is not None and code < 0:
        name = signal.Signals(-code).name
        if -code == signal.SIGKILL:
            return "killed", "killed (SIGKILL): the memory limit, or a signal from the code"
        if -code in (signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT, signal.SIGILL, signal.SIGFPE):
            return "crashed", f"the process crashed ({name})"
        return "killed", f"the process was ended by {name}"
    return ("exited early", f"the process exited (status {code}) before reporting — sys.exit() or os._exit() in "
            "the submission ends the grader's run")


def child_pids(pid: int) -> list[int]:
    """The direct children of `pid` (a confined job forks the submission's process, see sandbox.confine)."""
    found = []
    for listing in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(c) for c in listing.read_text().split()]
        except (OSError, ValueError):
            continue
    return found


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
