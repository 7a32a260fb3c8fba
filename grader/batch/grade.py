"""`course grade`: grade a class — discovery, one isolated process per student that answers the probes
of its exercises one message at a time, a second isolated process that challenges what the first
committed to (grader.batch.challenge), trusted verification, and a resumable per-student result file.

Results are written atomically to `OUT/students/<student>.json` as each student finishes, signed
(grader.batch.signing). A run that is killed (even with SIGKILL) and started again skips students
whose signed result matches their current files and the grader's fingerprint, so the final gradebook
equals that of an uninterrupted run; a record that does not verify is graded again; grading one
student again replaces only that student's file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from grader.batch.intake import MAX_SOURCE_BYTES, UNREADABLE, StudentSubmission, discover, student_file_name
from grader.batch.pool import run_job
from grader.batch.sandbox import Limits, new_uid_base
from grader.batch.signing import signed, verified
from grader.manifest import PACKAGE_DIR, Course, load_course
from grader.results import write_json_atomic

ROOT = PACKAGE_DIR.parent
STARTUP_MARGIN_S = 10.0  # loading the file and building models, beyond the exercise's own budget
CHALLENGE_WALL_S = 60.0  # loading one exercise part's committed graph and running its calls


@dataclass
class GradeOptions:
    out: Path
    workers: int = max(1, os.cpu_count() or 1)
    memory_mb: int = 2048
    exercises: list[str] | None = None
    solutions: Path = ROOT / "solutions"
    force: bool = False
    on_progress: Callable[[str, dict], None] | None = None
    extra_hide: list[Path] = field(default_factory=list)
    scheduler: str | None = None  # a Dask distributed scheduler's address: grade on that cluster


GRADE_DECIDING = ["course.toml", "checks", "checks_public", "checks_hidden", "pytest_plugin.py", "runner.py",
                  "datasets.py", "batch/replay.py", "batch/values.py", "batch/worker.py", "batch/challenge.py",
                  "batch/functions.py", "batch/steps.py"]


def grader_fingerprint(course: Course, solutions: Path = ROOT / "solutions") -> str:
    """Changes whenever anything that decides a grade changes: manifest, checks, solutions."""
    digest = hashlib.sha256()
    paths = [p for name in GRADE_DECIDING for p in sorted((PACKAGE_DIR / name).rglob("*.py"))
             if (PACKAGE_DIR / name).is_dir()] + [PACKAGE_DIR / n for n in GRADE_DECIDING if n.endswith((".py", ".toml"))]
    for path in [*paths, *sorted(solutions.glob("*.py"))]:
        if "__pycache__" not in path.parts and path.is_file():
            digest.update(str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def submission_fingerprint(student: StudentSubmission) -> str:
    """Changes whenever the student's files (or what was wrong with them) change; never raises."""
    digest = hashlib.sha256()
    for exercise_id in sorted(student.files):
        try:
            with open(student.files[exercise_id], "rb") as handle:
                content = handle.read(MAX_SOURCE_BYTES + 1)
        except OSError as error:
            content = f"unreadable: {error.strerror}".encode()
        digest.update(exercise_id.encode() + b"\0" + content)
    digest.update(json.dumps(student.problems).encode())
    return digest.hexdigest()[:16]


def load_probes(options: GradeOptions, fingerprint: str, exercise_ids: list[str]) -> dict:
    """The probes of the exercises, discovered once per grader version and cached in OUT/.work."""
    from grader.batch.replay import load_discovery, save_discovery
    from grader.batch.worker import discover_probes

    cache = options.out / ".work" / f"probes-{fingerprint}-{'-'.join(exercise_ids)}.pkl"
    if cache.is_file():
        return load_discovery(cache)
    outcome = run_job(discover_probes, (str(options.solutions), exercise_ids), wall_s=900)
    if outcome.reply is None:
        raise RuntimeError(f"discovering the checks' probes failed: {outcome.status} {outcome.detail}")
    import pickle

    discovered = pickle.loads(outcome.reply)  # from the grader's own trusted process
    not_passing = [e for e, d in discovered.items() if not d["reference_passed"]]
    if not_passing:
        raise RuntimeError(f"the reference solutions fail their own checks for exercises {not_passing}")
    not_replayable = [e for e, d in discovered.items() if not d["replayable"]]
    if not_replayable:  # such checks would have to run in the student's process: refuse instead
        raise RuntimeError(f"the checks of exercises {not_replayable} use the learner's objects directly; batch "
                           "grading needs them to go through submission.call() or submission.run(Scenario)")
    cache.parent.mkdir(parents=True, exist_ok=True)
    save_discovery(cache, discovered)
    return discovered


def hidden_paths(options: GradeOptions, inputs: list[Path]) -> list[Path]:
    """What a submission's process must not see: the course's answers and tests, the class's files and
    the gradebook, the record key, the grader's temp folders (its work folder, multiprocessing's with the
    forkserver's socket, POSIX shared memory) and the instructor's home folder."""
    from grader.batch.pool import forkserver_folder
    from grader.batch.signing import key_file

    # `.git` and the repository's git folder are one path, except in a worktree (where `.git` is a file)
    paths = [options.solutions, PACKAGE_DIR / "checks_hidden", ROOT / "tests", ROOT / ".git", _git_dir(ROOT),
             ROOT / "exercises", options.out.resolve(), *[p.resolve() for p in inputs], *options.extra_hide, key_file().parent,
             forkserver_folder(), Path("/dev/shm")]
    for folder in (Path(tempfile.gettempdir()), Path.home()):  # unless the course itself lives there
        if folder != Path("/") and not ROOT.is_relative_to(folder):
            paths.append(folder)
    return list(dict.fromkeys(p for p in paths if p is not None and p.exists()))  # each covered once


def visible_folders(hide: list[Path]) -> list[Path]:
    """The interpreter's folders (grader.batch.sandbox.interpreter_folders) that stay readable inside a
    hidden folder: those under the home or temp folder only, and none that holds a hidden path itself."""
    from grader.batch.sandbox import interpreter_folders

    broad = [Path.home().resolve(), Path(tempfile.gettempdir()).resolve()]
    hidden = [p.resolve() for p in hide]
    return [folder for folder in interpreter_folders()
            if not any(h.is_relative_to(folder) and h != folder for h in hidden)
            and not any(folder.is_relative_to(h) and h not in broad for h in hidden)]


def _git_dir(root: Path) -> Path:
    """The repository's git folder: `.git`, or in a worktree (where `.git` is a file naming the worktree's
    own folder) the main repository's git folder, which holds the history and the worktree's folder."""
    dot_git = root / ".git"
    if dot_git.is_file():
        text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            own = (root / text.removeprefix("gitdir:").strip()).resolve()
            common = own / "commondir"
            return (own / common.read_text().strip()).resolve() if common.is_file() else own
    return dot_git


def grade_class(inputs: list[Path], options: GradeOptions) -> list[dict[str, Any]]:
    """Grade every student found under `inputs`; return the student records of this run."""
    from grader.batch.gradebook import write_gradebook

    course = load_course()
    exercises = [course.find(e) for e in options.exercises] if options.exercises else list(course.exercises)
    out = options.out.resolve()
    (out / "students").mkdir(parents=True, exist_ok=True)
    remove_stale_work_folders()
    work = Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{os.getpid()}-"))  # scratch, extracted archives, dataset
    try:
        with _terminate_as_exit():
            os.chmod(work, 0o711)
            records = _grade_into(out, work, inputs, exercises, course, options)
    finally:
        from grader.batch.pool import shutdown

        shutdown()
        shutil.rmtree(work, ignore_errors=True)  # the trusted dataset cache among it
    write_gradebook(out, course)
    return sorted(records, key=lambda r: r["student"])


def _grade_into(out: Path, work: Path, inputs: list[Path], exercises, course: Course,
                options: GradeOptions) -> list[dict[str, Any]]:
    """Grade the students not already graded (see the module docstring) into OUT/students."""
    students = discover(inputs, exercises, work)
    fingerprint = grader_fingerprint(course, options.solutions)
    todo, records = [], []
    for student in students:
        existing = _load_record(out, student.student)
        if existing and existing.get("retry"):  # the grader failed on this student last time
            existing = None
        if (not options.force and existing and existing.get("grader") == fingerprint
                and existing.get("submission") == submission_fingerprint(student)
                and existing.get("exercise_ids") == [e.id for e in exercises]):
            records.append(existing)
            _notify(options, "skipped", existing)
        else:
            todo.append(student)
    if not todo:
        return records
    probes = load_probes(options, fingerprint, [e.id for e in exercises])
    if options.scheduler:
        graded = _grade_on_cluster(todo, exercises, probes, options, fingerprint)
    else:
        graded = _grade_here(todo, exercises, probes, options, inputs, work)
    for student, record, error in graded:
        failed = record is None
        if failed:  # e.g. its cluster task failed: a "grader error" row now, graded again next run
            record = failed_record(student, exercises, error)
        record.update(grader=fingerprint, submission=submission_fingerprint(student),
                      exercise_ids=[e.id for e in exercises])
        record = signed(record)
        write_json_atomic(out / "students" / f"{student_file_name(student.student)}.json", record)
        records.append(record)
        if failed and options.on_progress:
            options.on_progress("failed", {"student": student.student, "reason": error})
        elif not failed:
            _notify(options, "graded", record)
    return records


WORK_PREFIX = "course-grade-"  # + the grading process's pid + "-": its work folder in the temp folder


def remove_stale_work_folders() -> None:
    """Remove the work folders (and the trusted dataset cache in them) that runs killed outright left in
    the temp folder: those of this user whose process no longer runs."""
    for folder in Path(tempfile.gettempdir()).glob(f"{WORK_PREFIX}*-*"):
        pid = folder.name.removeprefix(WORK_PREFIX).split("-", 1)[0]
        try:
            if not pid.isdigit() or folder.lstat().st_uid != os.geteuid() or Path(f"/proc/{pid}").exists():
                continue
        except OSError:
            continue
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """Inside the block, SIGTERM ends the run like an exception would (cleaning up on the way)."""
    import signal

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(number, frame):
        raise SystemExit(128 + number)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def split_key(out: Path) -> bytes:
    """The secret key that draws the held-out split of this gradebook (OUT/.work/split-key, made once).

    It lives with the gradebook, which no submission's process can see, so a resumed run splits the
    data the same way, and no submission can rebuild the split it is judged on."""
    path = _split_key_path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "xb") as file:  # noqa: PTH123 - exclusive creation: two runs agree on one key
            os.fchmod(file.fileno(), 0o600)
            file.write(secrets.token_bytes(32))
    except FileExistsError:
        pass
    return path.read_bytes()


def _split_key_path(out: Path) -> Path:
    return out / ".work" / "split-key"


def stored_split_key(out: Path) -> bytes | None:
    """The gradebook's split key (see `split_key`) if it has one yet."""
    path = _split_key_path(out)
    return path.read_bytes() if path.is_file() else None


def _grade_here(todo: list[StudentSubmission], exercises, probes: dict, options: GradeOptions, inputs: list[Path],
                work: Path) -> Iterator[tuple[StudentSubmission, dict[str, Any] | None, str]]:
    """Grade the students on this machine, `options.workers` at a time; yield them as they finish."""
    dataset_cache = cache_trusted_dataset(work, split_key(options.out.resolve()))  # starts the forkserver, whose folder is hidden too
    hide = [work, *hidden_paths(options, inputs)]
    slots, uid_base = Slots(options.workers), new_uid_base(options.workers)

    def run(student: StudentSubmission) -> dict[str, Any]:
        with slots.taken() as slot:
            return grade_student(student, exercises, probes, options, hide, slot, work, dataset_cache, uid_base)

    with ThreadPoolExecutor(max_workers=options.workers) as pool:
        futures = {pool.submit(run, s): s for s in todo}
        for future in as_completed(futures):
            student = futures[future]
            try:
                record = future.result()
            except Exception as error:  # noqa: BLE001 - one student's failure must not stop the class
                record = failed_record(student, exercises, f"{type(error).__name__}: {error}")
            yield student, record, ""


def failed_record(student: StudentSubmission, exercises, error: str) -> dict[str, Any]:
    """The record of a student the grader itself failed on: every exercise "grader error", 0 points, and
    `retry` set, so that the next run grades the student again instead of keeping this."""
    from grader.batch.worker import _all_failed

    reason = f"the grader failed while grading this submission ({error[-500:]}); grade it again"
    return {
        "student": student.student, "source": str(student.source), "problems": [*student.problems, reason],
        "exercises": {e.id: {"slug": e.slug, "title": e.title, "status": "grader error", "reason": reason,
                             "points": 0, "max_points": e.max_points, "checks": _all_failed(e, reason),
                             "isolation": None, "seconds": None, "check_seconds": None} for e in exercises},
        "total": 0, "max_total": sum(e.max_points for e in exercises), "status": "grader error", "seconds": 0.0,
        "retry": True,
    }


def cache_trusted_dataset(work: Path, key: bytes) -> Path:
    """Load the pinned dataset once, in a trusted process, with its held-out split drawn with the secret
    `key` (see `split_key`), into WORK/trusted/dataset-*.npz; return that path.

    WORK/trusted (0700) is where only the grader's own processes look; submissions must have it hidden.
    """
    from grader.batch.worker import DatasetJob, cache_dataset

    trusted = work / "trusted"
    trusted.mkdir(mode=0o700, exist_ok=True)
    dataset_cache = trusted / f"dataset-{hashlib.sha256(key).hexdigest()[:12]}.npz"
    if dataset_cache.is_file():
        return dataset_cache
    cached = run_job(cache_dataset, DatasetJob(str(dataset_cache), key), wall_s=600)
    if cached.reply is None:
        # the grader's own process, with no submission in it: its exit says nothing about a student
        raise RuntimeError(f"the grader could not load the dataset ({cached.status}, exit code of its own process); "
                           "run `python -c 'from grader.datasets import load_dataset; load_dataset()'` to see why")
    return dataset_cache


class Slots:
    """The worker slots of one machine: a student being graded holds one, which picks its uid and scratch."""

    def __init__(self, count: int) -> None:
        self.count = count
        self._free = list(range(count))
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def taken(self) -> Iterator[int]:
        with self._lock:
            slot = self._free.pop()
        try:
            yield slot
        finally:
            with self._lock:
                self._free.append(slot)


def _grade_on_cluster(todo: list[StudentSubmission], exercises, probes: dict, options: GradeOptions,
                      fingerprint: str) -> Iterator[tuple[StudentSubmission, dict[str, Any] | None, str]]:
    """Grade the students on the Dask cluster at `options.scheduler` (see grader.batch.cluster)."""
    from grader.batch.cluster import grade_on_cluster

    by_id = {s.student: s for s in todo}
    for student, record, error in grade_on_cluster(options.scheduler, todo, [e.id for e in exercises], probes,
                                                   options.memory_mb, fingerprint, split_key(options.out.resolve())):
        yield by_id[student], record, error


def _notify(options: GradeOptions, event: str, record: dict) -> None:
    if options.on_progress:
        options.on_progress(event, record)


def _load_record(out: Path, student: str) -> dict | None:
    try:
        record = json.loads((out / "students" / f"{student_file_name(student)}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if verified(record) and record.get("student") == student else None


def _source_of(path: Path) -> bytes:
    """The Python source of a submitted file (a notebook's code cells); ValueError/OSError if unreadable."""
    if path.stat().st_size > MAX_SOURCE_BYTES:
        raise ValueError(f"the file is larger than {MAX_SOURCE_BYTES:,} bytes")
    if path.suffix == ".ipynb":
        from grader.exports.notebooks import notebook_to_source

        return notebook_to_source(path).encode("utf-8")
    return path.read_bytes()


def _answered(entry: tuple | None) -> bool:
    """Whether a public part's entry holds the answers of a file that loaded."""
    return entry is not None and entry[0] == "replay" and "load_failure" not in entry[1]


def _hidden_part(entry: tuple | None) -> tuple | str | None:
    """What verification gets for an exercise's hidden-only probes: their (header, arrays), why they are
    missing ("timed out: …"), or None when there were none to play."""
    if entry is None:
        return None
    return entry[1:] if entry[0] == "replay" else f"{entry[1]}: {entry[2]}"


class _BadReply(Exception):
    """An answer that cannot be read, or that is not the answer asked for: the exercise's outcome."""

    def __init__(self, status: str, detail: str) -> None:
        super().__init__(status, detail)
        self.entry = ("outcome", status, detail)


def _reply(channel, message, task, deadline: float) -> tuple[dict, list]:
    """Send `message` (pickled: from the grader to the student's process) and read the answer in time."""
    import pickle

    from grader.batch.values import unpack

    raw = channel.ask(pickle.dumps(message), deadline - time.monotonic())
    try:
        header, arrays = unpack(raw)
    except Exception as error:  # noqa: BLE001 - whatever the student's process sent, it costs only this exercise
        raise _BadReply("bad reply", f"the grader could not read the reply of your process ({str(error)[:300]})") from None
    if "grader_error" in header:
        raise _BadReply("grader error", f"the grader failed while running this exercise: {header['grader_error']}")
    if header.get("exercise") != task.exercise_id or header.get("part") != task.part:
        raise _BadReply("bad reply", "the submission's process answered for another exercise")
    return header, arrays


def play_task(channel, task, decoys=None, pending: list | None = None) -> tuple:
    """One exercise's part, played as a dialogue with the student's process: open the file, then send
    each probe only once the one before is answered, then close it. Returns the exercise's entry:
    ("replay", header, arrays) or ("outcome", status, reason) for an answer that could not be read.
    Raises pool.ProcessEnded when the process stops answering within the task's time.

    With `decoys` (a numpy Generator), scenarios are sent with decoys for their secret arrays, and a
    PendingChallenge for the entry is appended to `pending` (see `challenge_student`)."""
    from grader.batch.challenge import PendingChallenge, with_decoys
    from grader.batch.functions import function_secrets
    from grader.batch.pool import ProcessEnded
    from grader.batch.steps import TIMED_OUT, StepStalled
    from grader.batch.values import shift_arrays
    from grader.batch.worker import AskProbe, CloseFile, OpenFile

    deadline = time.monotonic() + task.wall_s
    kept = {}
    try:
        header, _ = _reply(channel, OpenFile(task.exercise_id, task.filename, task.source, task.part), task, deadline)
        if "load_failure" in header:
            return ("replay", {k: header[k] for k in ("exercise", "part", "isolation", "load_failure") if k in header},
                    [])
        results, arrays = {}, []
        for probe in task.probes:
            sent, secret = with_decoys(probe, decoys) if decoys is not None else (probe, None)
            if secret is not None:
                kept[probe.key] = secret
            step_deadline = min(deadline, time.monotonic() + task.step_s) if task.step_s else deadline
            try:
                answer, own = _reply(channel, AskProbe(sent), task, step_deadline)
            except ProcessEnded as ended:  # stuck in one call: that call fails, the others are played again
                if ended.status == TIMED_OUT and step_deadline < deadline:
                    raise StepStalled(task, probe, task.step_s) from None
                raise
            if not isinstance(answer.get("entry"), dict):
                raise _BadReply("bad reply", "the submission's process sent a malformed answer")
            try:
                results[probe.key] = shift_arrays(answer["entry"], len(arrays))
            except (ValueError, TypeError, RecursionError) as error:
                raise _BadReply("bad reply", f"the submission's process sent a malformed answer ({error})") from None
            arrays += own
        closing, committed = _reply(channel, CloseFile(), task, deadline)
    except _BadReply as bad:
        return bad.entry
    notes = closing.get("notes") if isinstance(closing.get("notes"), list) else []
    header = {"exercise": task.exercise_id, "part": task.part, "isolation": header.get("isolation"),
              "results": results, "notes": notes}
    functions = function_secrets(results, decoys) if decoys is not None else {}
    if (kept or functions) and pending is not None:
        pending.append(PendingChallenge(header, arrays, kept, closing.get("commitments"), committed, functions))
    return ("replay", header, arrays)


def _play_tasks(channel, *, tasks: list, played: list, decoys=None, pending: list | None = None,
                stalled: list | None = None) -> None:
    """Play `tasks` in order, appending (task, entry, seconds) to `played`; stop at the first bad reply
    (the process is not trusted to go on) or when the process ends (pool.ProcessEnded). A probe that
    stalls (grader.batch.steps.StepStalled) is appended to `stalled` with the seconds its task took."""
    from grader.batch.pool import ProcessEnded
    from grader.batch.steps import StepStalled

    for task in tasks:
        began = time.perf_counter()
        try:
            entry = play_task(channel, task, decoys, pending)
        except StepStalled as stall:
            if stalled is not None:
                stalled.append((stall, time.perf_counter() - began))
            raise
        if entry[0] == "outcome":
            raise ProcessEnded(entry[1], entry[2])
        played.append((task, entry, time.perf_counter() - began))


def challenge_student(pending: list, options: GradeOptions, hide: list[Path], scratch: Path, uid: int) -> None:
    """Run every call the student's process committed to, on the real inputs and weights, in a second
    confined process that gets nothing but the SavedModels (grader.batch.challenge); put the outputs
    into the scenario facts. Pending parts whose challenge fails have those facts failed instead."""
    import pickle

    from grader.batch.challenge import ChallengeJob, apply_challenges, challenge_commitments, challenge_items
    from grader.batch.pool import run_dialogue
    from grader.batch.values import unpack

    work_list = [(part, *challenge_items(part)) for part in pending]
    replies: dict[int, tuple[list, list, str | None]] = {}

    def talk(channel) -> None:
        for number, (_, artefact, items, _) in enumerate(work_list):
            if artefact is None or not items:
                continue
            raw = channel.ask(pickle.dumps((artefact, items)), CHALLENGE_WALL_S)
            try:
                header, arrays = unpack(raw)
                outputs = header.get("outputs")
                replies[number] = (outputs if isinstance(outputs, list) else [], arrays, header.get("error"))
            except (ValueError, KeyError, OSError, RecursionError, AttributeError):
                replies[number] = ([], [], "its reply could not be read")

    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True, mode=0o700)
    limits = Limits(wall_s=CHALLENGE_WALL_S * max(1, len(work_list)), memory_mb=options.memory_mb)
    job = ChallengeJob(limits, str(scratch), [str(p) for p in hide], uid, [str(p) for p in visible_folders(hide)])
    end = run_dialogue(challenge_commitments, job, talk, uid=uid, tree_limits=limits)
    shutil.rmtree(scratch, ignore_errors=True)
    ended = None if end is None else f"the challenger {end.status}: {end.detail}".rstrip(": ")
    for number, (part, _, _, places) in enumerate(work_list):
        unsaved = part.commitments.get("error") if isinstance(part.commitments, dict) else None
        outputs, arrays, error = replies.get(number, ([], [], str(unsaved)[:200] if unsaved else ended))
        apply_challenges(part, places, outputs, arrays, error)


def grade_student(student: StudentSubmission, exercises, probes: dict, options: GradeOptions, hide: list[Path],
                  slot: int, work: Path, dataset_cache: Path, uid_base: int) -> dict[str, Any]:
    """Answer the probes of the student's exercises in one confined process (one exercise after another,
    each within its own time; a failure costs only the exercise it hit), then verify them all in a
    trusted process."""
    from grader.batch.pool import run_dialogue
    from grader.batch.steps import TIMED_OUT, Stall, add_stalls, continuation
    from grader.batch.worker import ProbeJob, ProbeTask, VerifyJob, probe_submission, verify_student

    started = time.perf_counter()
    entries: dict[str, tuple] = {}
    timings: dict[str, float] = {}
    tasks: list[ProbeTask] = []
    hidden_tasks: list[ProbeTask] = []
    for exercise in exercises:
        path = student.files.get(exercise.id)
        if student.refused:
            entries[exercise.id] = ("outcome", student.refused.status, student.refused.reason)
            continue
        if path is None:
            entries[exercise.id] = ("outcome", "not submitted", "not submitted")
            continue
        try:
            source = _source_of(path)
        except Exception as error:  # noqa: BLE001 - an unreadable file costs only its exercise
            entries[exercise.id] = ("outcome", UNREADABLE, f"the submitted file could not be read: {error}")
            continue
        discovered, wall_s = probes[exercise.id], exercise.time_budget_s + STARTUP_MARGIN_S
        step_s = exercise.time_budget_s  # each probe's own limit (grader.batch.steps)
        tasks.append(ProbeTask(exercise.id, exercise.filename, source, discovered["probes"], wall_s, step_s=step_s))
        if discovered["hidden_probes"]:
            hidden_tasks.append(ProbeTask(exercise.id, exercise.filename, source, discovered["hidden_probes"], wall_s,
                                          part="hidden", step_s=step_s))
    # Every exercise's public probes first, then the hidden checks' own: nothing a hidden check passes
    # to the learner's code can reach the feedback of a public check through the process's state.
    tasks += hidden_tasks
    hidden_parts: dict[str, tuple] = {}
    uid = uid_base + slot
    scratch = work / "scratch" / f"slot{slot}"
    retried: set[tuple[str, str]] = set()
    decoys = np.random.default_rng(secrets.randbits(128))  # never seen by the student's process
    pending: list = []
    stalls: list = []  # grader.batch.steps.Stall of each probe that stalled
    while tasks:  # one process answers the exercises in turn; a failure costs only the exercise it hit
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(parents=True, mode=0o700)
        limits = Limits(wall_s=sum(t.wall_s for t in tasks), memory_mb=options.memory_mb)
        job = ProbeJob(student.student, limits, str(scratch), [str(p) for p in hide], uid,
                       [str(p) for p in visible_folders(hide)])
        played: list[tuple[ProbeTask, tuple, float]] = []
        stalled: list = []
        end = run_dialogue(probe_submission, job, partial(_play_tasks, tasks=tasks, played=played, decoys=decoys,
                                                          pending=pending, stalled=stalled), uid=uid, tree_limits=limits)
        for task, entry, seconds in played:
            timings[task.exercise_id] = round(timings.get(task.exercise_id, 0.0) + seconds, 3)
            (hidden_parts if task.part == "hidden" else entries)[task.exercise_id] = entry
        if end is None:
            break
        if stalled and end.status == TIMED_OUT:  # one probe stalled: it fails, the rest are played afresh
            stall, spent = stalled[0]
            stalls.append(Stall(stall.task.exercise_id, stall.task.part, stall.probe.key, stall.detail))
            timings[stall.task.exercise_id] = round(timings.get(stall.task.exercise_id, 0.0) + spent, 3)
            rest = continuation(stall, spent)
            if rest is not None:
                tasks = [rest, *tasks[len(played) + 1:]]
                continue
        stopped = tasks[len(played)]
        timings[stopped.exercise_id] = round(timings.get(stopped.exercise_id, 0.0) + end.seconds
                                             - sum(seconds for _, _, seconds in played), 3)
        (hidden_parts if stopped.part == "hidden" else entries)[stopped.exercise_id] = \
            ("outcome", end.status, end.detail)
        if end.status == "killed" and (stopped.exercise_id, stopped.part) not in retried:
            # killed from outside (not by the grader's limits): try that exercise once more
            retried.add((stopped.exercise_id, stopped.part))
            tasks = tasks[len(played):]
            continue
        # a grader error or a bad reply ends the dialogue with that exercise only (pool.ProcessEnded): the
        # exercises after it are played in a fresh process.
        # the hidden probes of an exercise whose public ones did not all answer are not worth playing
        tasks = [t for t in tasks[len(played) + 1:] if t.part == "public" or _answered(entries.get(t.exercise_id))]
    shutil.rmtree(scratch, ignore_errors=True)
    for stall in stalls:
        parts = hidden_parts if stall.part == "hidden" else entries
        if stall.exercise_id in parts:
            parts[stall.exercise_id] = add_stalls(parts[stall.exercise_id], [stall], stall.part)
    if pending:
        challenge_student(pending, options, hide, work / "scratch" / f"slot{slot}-challenge", uid)
    for exercise_id, entry in entries.items():
        if _answered(entry):
            entries[exercise_id] = (*entry, _hidden_part(hidden_parts.get(exercise_id)))
    verify_wall = sum(e.time_budget_s for e in exercises) + 120
    outcome = run_job(verify_student, VerifyJob(student.student, entries, str(dataset_cache)), wall_s=verify_wall)
    verified = json.loads(outcome.reply) if outcome.reply else {}
    record_exercises = {}
    for exercise in exercises:
        entry = entries[exercise.id]
        result = verified.get(exercise.id)
        if result is None:
            from grader.batch.worker import _all_failed

            result = {"status": "grader error", "checks": _all_failed(
                exercise, f"the grader could not verify this exercise ({outcome.status}: {outcome.detail})")}
        status = result["status"] if entry[0] != "outcome" else entry[1]
        reason = entry[2] if entry[0] == "outcome" else result.get("reason")
        stalled_here = [s.reason for s in stalls if s.exercise_id == exercise.id]
        if stalled_here and entry[0] != "outcome":  # graded, but one call was stopped: say so
            status, reason = TIMED_OUT, "; ".join(dict.fromkeys(stalled_here))
        points = sum(c["points"] for c in result["checks"])
        record_exercises[exercise.id] = {
            "slug": exercise.slug, "title": exercise.title, "status": status if status != "ok" else "graded",
            "reason": reason, "points": points, "max_points": exercise.max_points, "checks": result["checks"],
            "isolation": result.get("isolation"), "seconds": timings.get(exercise.id),
            "check_seconds": result.get("check_seconds"),
        }
    total = sum(e["points"] for e in record_exercises.values())
    return {
        "student": student.student, "source": str(student.source), "problems": student.problems,
        "exercises": record_exercises, "total": total,
        "max_total": sum(e.max_points for e in exercises),
        "status": student.refused.status if student.refused else "graded" if not student.problems else
        "graded with problems",
        "seconds": round(time.perf_counter() - started, 3),
    }
