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

from grader.batch.sandbox import kill_leftovers

MAX_REPLY_BYTES = 64 * 1024 * 1024
_context = None


def context():
    """The forkserver context, started on first use with TensorFlow preloaded."""
    global _context
    if _context is None:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["grader.batch.preload"])
        saved = dict(os.environ)
        from grader.batch.sandbox import SAFE_ENV_KEYS

        # The forkserver (and multiprocessing's resource tracker) must not keep the caller's stdout and
        # stderr open: a caller reading our output to EOF would wait for them.
        saved_fds = [os.dup(1), os.dup(2)]
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
            multiprocessing.forkserver.ensure_running()
        finally:
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


@dataclass
class JobOutcome:
    """How a job's process ended: `reply` is its message if it sent one."""

    reply: bytes | None
    status: str  # "ok", "timed out", "crashed", "killed", "exited early", "reply too large"
    detail: str
    seconds: float


def run_job(target, job, wall_s: float, uid: int | None = None) -> JobOutcome:
    """Run `target(job, conn)` in a fresh forked process; wait at most `wall_s`; kill what is left."""
    return run_process(target, job, [wall_s], uid)[0]


def run_process(target, job, waits: list[float], uid: int | None = None) -> list[JobOutcome]:
    """Run `target(job, conn)`, which sends one reply per entry of `waits`, each within its time.

    Returns one outcome per reply received; if the process fails to send one in time (or dies),
    the last outcome says how, and the process (with anything it forked) is killed.
    """
    ctx = context()
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=target, args=(job, sender), daemon=True)
    started = time.perf_counter()
    process.start()
    sender.close()
    outcomes: list[JobOutcome] = []
    failure: tuple[str, str] | None = None
    for wall_s in waits:
        began = time.perf_counter()
        answered = receiver.poll(wall_s)  # True on a message, and on EOF when the process ended
        if not answered:
            failure = ("timed out", f"stopped after the {wall_s:g} s time limit (an endless loop?)")
            break
        try:
            reply = receiver.recv_bytes(MAX_REPLY_BYTES)
        except EOFError:
            failure = ("ended", "")
            break
        except OSError as error:
            failure = ("reply too large", f"the process sent more than {MAX_REPLY_BYTES:,} bytes ({error})")
            break
        outcomes.append(JobOutcome(reply, "ok", "", time.perf_counter() - began))
        began = time.perf_counter()
    process.join(timeout=0.0 if failure and failure[0] == "timed out" else 5.0)
    if process.is_alive():
        for child in _children(process.pid):  # the submission itself: PID 1 of its own namespace
            _kill(child)
        process.kill()
        _kill_group(process.pid)
        process.join(5.0)
    if uid is not None:
        kill_leftovers(uid)  # confined processes: everything still running as the job's uid
    receiver.close()
    if failure is None:
        return outcomes
    status, detail = failure
    seconds = time.perf_counter() - started - sum(o.seconds for o in outcomes)
    if status == "ended":
        status, detail = _classify_exit(process.exitcode)
    outcomes.append(JobOutcome(None, status, detail, seconds))
    return outcomes


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


def _children(pid: int) -> list[int]:
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
