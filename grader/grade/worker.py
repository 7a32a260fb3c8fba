"""The processes of batch grading, each started from a forkserver that has TensorFlow preloaded.

- `probe_submission` (untrusted): confined by grader.grade.sandbox; loads one student's exercise
  file and answers the recorded probes — calls of the learner's functions, and scenarios played on
  the learner's classes — one message at a time (grader.grade.student.play_task sends them). It
  reports through a pipe, as bytes in the format of grader.grade.values — never pickle. No check
  runs in it, and no hidden check module is loaded in it. The steps of scenarios that run the
  learner's objects are committed as traced graphs (grader.grade.challenge.Commitments).
- `grader.grade.challenge.challenge_commitments` (untrusted, a second confined process): runs those
  graphs on the real inputs and weights.
- `verify_student` (trusted): rebuilds each exercise's answers and runs the public and hidden checks
  against them; the only place grades are computed.
- `discover_probes` (trusted): runs the checks on the reference solutions to learn the probes.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.grade.challenge import Commitments
from grader.grade.entries import Entry, Replay
from grader.grade.sandbox import Limits, confine
from grader.results import failed_checks


@dataclass
class ProbeTask:
    """One exercise of one student, to answer in the student's process (the grader keeps it and sends
    the student's process one message at a time: OpenFile, then each AskProbe, then CloseFile)."""

    exercise_id: str
    filename: str
    source: bytes
    probes: list
    wall_s: float
    part: str = "public"  # or "hidden": the probes only hidden checks make, played after every public part
    step_s: float = 0.0  # the time limit of each probe's answer (grader.grade.steps); 0: only wall_s
    restarted: bool = False  # played again in a fresh process after one of its probes stalled (grader.grade.steps)


@dataclass
class ProbeJob:
    """What the student's process starts with: how to confine itself, and nothing of the exercises."""

    student: str
    limits: Limits = field(default_factory=Limits)
    scratch: str = ""
    hide: list = field(default_factory=list)
    uid: int = 0
    visible: list = field(default_factory=list)  # the interpreter's folders, readable even inside hidden ones


@dataclass
class OpenFile:
    """Load this exercise file (answer: its load header)."""

    exercise_id: str
    filename: str
    source: bytes
    part: str


@dataclass
class AskProbe:
    """Answer this probe on the open file (answer: {"entry"} and the entry's arrays)."""

    probe: Any


@dataclass
class CloseFile:
    """The open file's probes are done (answer: the notes its code caused)."""


def probe_submission(job: ProbeJob, conn) -> None:
    """Entry point of the submission's own process: confine, then answer the grader's messages one at a
    time (OpenFile, AskProbe, CloseFile), until the grader closes the pipe. Never returns (os._exit).

    The process holds only what it was sent so far: a probe reaches it after it answered the one before.
    """
    import pickle

    from grader.grade.values import pack

    code = 0
    opened: OpenFile | None = None
    try:
        confinement = confine(job.limits, Path(job.scratch), [Path(p) for p in job.hide], job.uid,
                              keep_fds=(conn.fileno(),), visible=tuple(Path(p) for p in job.visible))
        job.scratch, job.hide = "", []  # from here on, nothing in this process names a path of the grader's
        scratch = confinement.workdir
        submission = commitments = None
        while True:
            try:
                message = pickle.loads(conn.recv_bytes())  # from the grader, never from a student
            except EOFError:
                break
            if isinstance(message, OpenFile):
                opened = message
                path = scratch / message.filename
                path.write_bytes(message.source)
                submission, reply = _open(message, path, confinement)
                commitments = Commitments()
                conn.send_bytes(reply)
            elif isinstance(message, AskProbe):
                conn.send_bytes(_answer(opened, submission, message.probe, commitments))
            else:
                notes = list(submission.notes) if submission is not None else []
                try:
                    committed, arrays = commitments.save(scratch / f"committed-{opened.exercise_id}-{opened.part}")
                except Exception as error:  # noqa: BLE001 - e.g. a layer TensorFlow cannot save: no commitment
                    committed, arrays = {"error": f"saving the traced graph failed: {type(error).__name__}"}, []
                conn.send_bytes(pack({"exercise": opened.exercise_id, "part": opened.part, "notes": notes,
                                      "commitments": committed}, arrays))
                opened = submission = commitments = None
    except (SystemExit, KeyboardInterrupt):
        code = 70  # the submission ended the process: the parent reports it as such
    except BaseException as error:  # noqa: BLE001 - the grader's own failure: say so, don't blame the student
        code = 71
        try:
            import traceback

            where = "".join(traceback.format_exception_only(type(error), error)).strip()[-800:]
            conn.send_bytes(pack({"exercise": getattr(opened, "exercise_id", None), "grader_error": where}, []))
        except BaseException:  # noqa: BLE001
            pass
    finally:
        os._exit(code)


def _open(opened: OpenFile, path: Path, confinement):
    """Load the student's file: (the submission or None, the reply header saying how it went)."""
    from grader.checks.failure import CheckFailure
    from grader.checks.submission import load_submission
    from grader.grade.values import pack

    meta = {"exercise": opened.exercise_id, "part": opened.part,
            "isolation": {"namespaces": confinement.namespaces, "network_isolated": confinement.network_isolated,
                          "read_only": confinement.read_only, "private_scratch": confinement.private_scratch,
                          "own_proc": confinement.own_proc, "private_dev": confinement.private_dev,
                          "no_capabilities": confinement.no_capabilities, "own_keyring": confinement.own_keyring,
                          "no_unix_sockets": confinement.no_unix_sockets,
                          "uid": confinement.unprivileged_uid,
                          "hidden_paths": confinement.hidden, "problems": confinement.problems}}
    try:
        return load_submission(path, opened.exercise_id), pack(meta, [])
    except CheckFailure as failure:
        return None, pack({**meta, "load_failure": failure.as_dict()}, [])


def _answer(opened: OpenFile, submission, probe, commitments) -> bytes:
    from grader.grade.replay import answer_probe
    from grader.grade.values import pack

    entry, arrays = answer_probe(submission, probe, commitments)
    return pack({"exercise": opened.exercise_id, "part": opened.part, "entry": entry}, arrays)


@dataclass
class VerifyJob:
    student: str
    exercises: dict[str, Entry]  # exercise id -> its answers (Replay) or why there are none (Outcome)
    dataset_cache: str | None = None
    memory_mb: int = 4096
    cpu_s: dict[str, float] = field(default_factory=dict)  # exercise id -> CPU seconds its verification may use
    hide: list = field(default_factory=list)  # paths the verifier must not see (grader.grade.student.verifier_hidden)
    input_key: bytes | None = None  # the key the checks draw their arrays with (grader.checks.inputs)
    namespaces_required: bool = False  # the machine gave namespaces when the run started (sandbox.namespaces_available)


@dataclass
class Verified:
    """One exercise's verification, as the verifier sends it (JSON): the exercise and its result."""

    exercise: str
    result: dict[str, Any]


@dataclass
class DatasetJob:
    path: str  # where to store the dataset (a folder only trusted processes see)
    split_key: bytes  # the secret that draws the held-out split (grade.split_key)


def cache_dataset(job: DatasetJob, conn) -> None:
    """Trusted: load the pinned dataset once, split with the secret key, and store it where only trusted
    processes look."""
    from grader.datasets import load_dataset, save_dataset_cache

    dataset = load_dataset(split_key=job.split_key)
    save_dataset_cache(Path(job.path), dataset)
    conn.send_bytes(json.dumps(dataset.summary).encode())
    conn.close()
    os._exit(0)


def verify_student(job: VerifyJob, conn) -> None:
    """Trusted: compute every check's outcome for one student, one exercise after another, and send each
    exercise's result (`Verified`, as JSON) as soon as it is known. It runs confined
    (grader.grade.sandbox.cut_off_the_verifier: no network, a read-only file system but the training
    cache, the temp and home folders covered, a PID namespace of its own), or not at all where that
    fails half-way.

    Each exercise may use `job.cpu_s[exercise]` seconds of CPU time (all threads): past that, the kernel
    ends this process (SIGXCPU, RLIMIT_CPU), and the grader verifies the exercises after it in a fresh one
    (grader.grade.verify)."""
    import resource

    from grader.checks.inputs import drawn_with
    from grader.grade.sandbox import SandboxNotSealed, cut_off_the_verifier, verifier_writable, vm_size_bytes

    if job.dataset_cache:  # read before the work folder that holds it is covered
        from grader.datasets import preload_from_cache

        preload_from_cache(Path(job.dataset_cache))
    try:
        cut_off_the_verifier([Path(p) for p in job.hide], writable=verifier_writable(),
                             namespaces_required=job.namespaces_required)
    except SandboxNotSealed as refused:  # fail closed: verify nothing, say why (the grader's error, to regrade)
        reason = f"the grader's verifier could not be confined ({refused}); regrade once the machine is fixed"
        for exercise_id in job.exercises:
            result = {"status": "grader error", "reason": reason,
                      "checks": _failed_entries(load_exercise(exercise_id), reason)}
            conn.send_bytes(json.dumps(vars(Verified(exercise_id, result))).encode())
        conn.close()
        os._exit(0)
    memory = vm_size_bytes() + job.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))  # a hostile model config costs this student only
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for exercise_id, entry in job.exercises.items():
        if exercise_id in job.cpu_s:
            _limit_cpu(job.cpu_s[exercise_id])
        try:
            with drawn_with(job.input_key):  # the arrays the probes were discovered with
                if isinstance(entry, Replay) and entry.loaded:
                    result = _verify_replays({exercise_id: entry})[exercise_id]
                else:
                    result = _verify_exercise(exercise_id, entry)
        except Exception as error:  # noqa: BLE001 - e.g. MemoryError: this exercise's result, not the process's end
            reason = f"the grader failed while verifying this exercise: {type(error).__name__}: {str(error)[:300]}"
            result = {"status": "grader error", "reason": reason, "checks": _failed_entries(load_exercise(exercise_id),
                                                                                           reason)}
        conn.send_bytes(json.dumps(vars(Verified(exercise_id, result))).encode())
    conn.close()
    os._exit(0)  # skip interpreter teardown (TensorFlow's is slow); everything is sent


def load_exercise(exercise_id: str):
    from grader.manifest import load_course

    return load_course().find(exercise_id)


def _limit_cpu(seconds: float) -> None:
    """Let this process use `seconds` more of CPU time (RLIMIT_CPU's soft limit: SIGXCPU past it)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = int(usage.ru_utime + usage.ru_stime + seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))


def _verify_replays(replays: dict[str, Replay]) -> dict[str, dict[str, Any]]:
    """All replayable exercises of a student, checked in one pytest session."""
    from grader.grade.replay import ReplaySubmission
    from grader.manifest import load_course
    from grader.pytest_plugin import injected_submission
    from grader.runner import run_checks_together

    course = load_course()
    results, submissions, exercises = {}, [], []
    for exercise_id, entry in replays.items():
        exercise = course.find(exercise_id)
        if not entry.loaded:
            results[exercise_id] = _verify_exercise(exercise_id, entry)
            continue
        submissions.append(ReplaySubmission(Path(exercise.filename), exercise.id, entry.header, entry.arrays,
                                            hidden=entry.hidden))
        exercises.append(exercise)
    if exercises:
        with injected_submission(*submissions):
            checked = run_checks_together(exercises, include_hidden=True)
        for exercise, result, submission in zip(exercises, checked, submissions, strict=True):
            if result.error:
                results[exercise.id] = {"status": "grader error", "reason": result.error,
                                        "checks": _failed_entries(exercise, result.error)}
            else:
                results[exercise.id] = {"status": "ok", "checks": [c.gradebook_entry() for c in result.checks],
                                        "isolation": submission.header.get("isolation"),
                                        "check_seconds": round(sum(c.duration_s for c in result.checks), 3)}
    return results


def _verify_exercise(exercise_id: str, entry: Entry) -> dict[str, Any]:
    """An exercise that is not replayed: a file that did not load, or an outcome (not submitted, timed out…)."""
    from grader.grade.replay import process_failure
    from grader.manifest import load_course

    exercise = load_course().find(exercise_id)
    if isinstance(entry, Replay):  # only a file that failed to load comes here; the rest go through _verify_replays
        message = process_failure(entry.header.get("load_failure")).message
        return {"status": "ok", "checks": _failed_entries(exercise, message), "isolation": entry.header.get("isolation")}
    return {"status": entry.status, "checks": _failed_entries(exercise, entry.reason)}


def _failed_entries(exercise, message: str) -> list[dict[str, Any]]:
    return [check.gradebook_entry() for check in failed_checks(exercise, message)]


def discover_probes(job: tuple[str, list[str], bytes | None], conn) -> None:
    """Trusted: record the calls every check of the given exercises makes into the reference solutions,
    the checks drawing their arrays with the key `job[2]` (grader.checks.inputs)."""
    from grader.checks.inputs import drawn_with
    from grader.checks.submission import load_submission
    from grader.grade.replay import RecordingSubmission
    from grader.manifest import load_course
    from grader.pytest_plugin import injected_submission
    from grader.runner import run_checks

    solutions_dir, exercise_ids, input_key = job
    discovered = {}
    for exercise in (load_course().find(e) for e in exercise_ids):
        path = Path(solutions_dir) / exercise.filename
        probes, flags = {}, {}
        recording = RecordingSubmission(load_submission(path, exercise.id), probes, flags)
        with injected_submission(recording), drawn_with(input_key):
            result = run_checks(exercise, path, include_hidden=True)
        discovered[exercise.id] = {  # hidden checks' own probes are played last (see grader.grade.student.grade_student)
            "probes": [p for key, p in probes.items() if key in recording.public_keys],
            "hidden_probes": [p for key, p in probes.items() if key not in recording.public_keys],
            "replayable": not flags.get("direct_access"),
            "reference_passed": result.passed,
        }
    import pickle

    conn.send_bytes(pickle.dumps(discovered))
    conn.close()
