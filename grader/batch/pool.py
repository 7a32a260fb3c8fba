"""Starting graded processes: a forkserver with TensorFlow preloaded, and running one job in it.

The forkserver pays TensorFlow's import (≈5 s, ≈600 MB) once; every job is a fresh fork of it, so
each submission still gets its own process. The forkserver is started with a scrubbed environment,
so no secret of the instructor's shell is even in its memory.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
import signal
import time
from dataclasses import dataclass

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

        try:
            os.environ.clear()
            os.environ.update({k: v for k, v in saved.items() if k in SAFE_ENV_KEYS or k.startswith(("PYTHON", "VIRTUAL_ENV"))})
            os.environ.setdefault("PATH", "/usr/bin:/bin")
            multiprocessing.forkserver.ensure_running()
        finally:
            os.environ.clear()
            os.environ.update(saved)
        _context = ctx
    return _context


@dataclass
class JobOutcome:
    """How a job's process ended: `reply` is its message if it sent one."""

    reply: bytes | None
    status: str  # "ok", "timed out", "crashed", "killed", "exited early", "reply too large"
    detail: str
    seconds: float


def run_job(target, job, wall_s: float, slot: int | None = None) -> JobOutcome:
    """Run `target(job, conn)` in a fresh forked process; wait at most `wall_s`; kill what is left."""
    ctx = context()
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=target, args=(job, sender), daemon=True)
    started = time.perf_counter()
    process.start()
    sender.close()
    reply, status, detail = None, "ok", ""
    try:
        if receiver.poll(wall_s):
            reply = receiver.recv_bytes(MAX_REPLY_BYTES)
    except EOFError:
        pass
    except OSError as error:
        status, detail = "reply too large", f"the process sent more than {MAX_REPLY_BYTES:,} bytes ({error})"
    timed_out = reply is None and status == "ok" and process.is_alive()
    process.join(timeout=0.0 if timed_out else 5.0)
    if process.is_alive():
        _kill_group(process.pid)
        process.join(5.0)
    if slot is not None:
        kill_leftovers(slot)
    else:
        _kill_group(process.pid)
    receiver.close()
    seconds = time.perf_counter() - started
    if reply is not None or status != "ok":
        return JobOutcome(reply, status, detail, seconds)
    code = process.exitcode
    if timed_out:
        return JobOutcome(None, "timed out", f"stopped after the {wall_s:g} s time limit (an endless loop?)", seconds)
    if code is not None and code < 0:
        name = signal.Signals(-code).name
        if -code == signal.SIGKILL:
            return JobOutcome(None, "killed", "killed (SIGKILL): the memory limit, or a signal from the code", seconds)
        if -code in (signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT, signal.SIGILL, signal.SIGFPE):
            return JobOutcome(None, "crashed", f"the process crashed ({name})", seconds)
        return JobOutcome(None, "killed", f"the process was ended by {name}", seconds)
    return JobOutcome(None, "exited early",
                      f"the process exited (status {code}) before reporting — sys.exit() or os._exit() in the "
                      "submission ends the grader's run", seconds)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
