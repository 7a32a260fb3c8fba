"""Grading one student: the probes of every exercise answered in one confined process, a second
confined process challenging what the first committed to (grader.grade.challenge), then trusted
verification (grader.grade.worker). What a machine prepares once for all its students (the paths
submissions must not see, the trusted dataset cache, uids and worker slots) is here too, so that the
local run (grader.grade.grade) and a cluster worker (grader.grade.cluster) grade a student the same way.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from functools import cached_property, partial
from pathlib import Path
from typing import Any

import numpy as np

from grader.grade.entries import Entry, Outcome, Replay
from grader.grade.intake import UNREADABLE, StudentSubmission
from grader.grade.pool import run_job
from grader.grade.sandbox import Confinement, Limits, SandboxNotSealed
from grader.manifest import PACKAGE_DIR, Exercise
from grader.students import MAX_SOURCE_BYTES

ROOT = PACKAGE_DIR.parent
STARTUP_MARGIN_S = 10.0  # loading the file and building models, beyond the exercise's own budget
CHALLENGE_WALL_S = 60.0  # loading one exercise part's committed graph and running its calls
# The arrays the grader keeps of one student's replies, all exercises together, until they are verified: a
# reply may hold 64 MB, and nothing else bounds how many a process sends. The reference solutions' answers
# to all twelve exercises hold 13.5 MB in 133 replies (the largest 8.8 MB).
MAX_REPLY_ARRAY_BYTES = 256 * 1024 * 1024
# The JSON headers of the same replies, all exercises together: parsed, a header of numbers takes up to
# about eight times its JSON in the grader's memory, and each may hold 16 MB (grader.grade.values). The
# reference solutions' headers to all twelve exercises hold 0.1 MB in all (100 kB in 133 replies).
MAX_REPLY_HEADER_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class GradingSetup:
    """What one machine (or one cluster worker) prepared for grading students: the exercises and their
    probes, the memory limit per submission process, the paths submissions must not see, the work folder
    (scratch folders go under it), the trusted dataset cache and the first of the machine's uids."""

    exercises: list[Exercise]
    probes: dict
    memory_mb: int
    hide: list[Path]
    work: Path
    dataset_cache: Path
    uid_base: int
    input_key: bytes
    namespaces_required: bool = False  # the machine gave namespaces when the run started (sandbox.namespaces_available)

    @cached_property
    def verifier_hide(self) -> list[str]:
        """What the grader's verifier must not see (`verifier_hidden`): the same for every student, so
        worked out once, in the process that grades (the training cache it binds back is this machine's)."""
        return [str(p) for p in verifier_hidden(self.hide)]


def hidden_paths(inputs: list[Path], *, solutions: Path = ROOT / "solutions", out: Path | None = None,
                 extra: list[Path] | tuple[Path, ...] = ()) -> list[Path]:
    """What a submission's process must not see: the course's answers (`solutions`) and tests, the
    class's files (`inputs`) and the gradebook (`out`), the record key, the grader's temp folders (its
    work folder, multiprocessing's with the forkserver's socket, POSIX shared memory), the shared
    folders of `broad_folders` (temp folders, /run, the instructor's home), any `extra` paths, and every
    unix socket of the machine's that none of those holds (`machine_sockets`)."""
    from grader.grade.pool import forkserver_folder
    from grader.grade.signing import key_file

    # `.git` and the repository's git folder are one path, except in a worktree (where `.git` is a file)
    paths = [solutions, PACKAGE_DIR / "checks_hidden", ROOT / "tests", ROOT / ".git", _git_dir(ROOT),
             ROOT / "exercises", out.resolve() if out else None, *[p.resolve() for p in inputs], *extra, key_file().parent,
             forkserver_folder(), Path("/dev/shm")]
    paths += broad_folders()  # even when the course lives there: its package and the interpreter are bound
    paths = list(dict.fromkeys(p for p in paths if p is not None and p.exists()))  # back (visible_folders)
    return paths + [s for s in machine_sockets() if not any(s.is_relative_to(p) for p in paths)]


def machine_sockets() -> list[Path]:
    """The unix sockets bound to a path on this machine (its network namespace's, /proc/net/unix), as they
    are now. A network namespace does not cut them and a read-only mount does not stop a connect(), so
    each is covered (by /dev/null) wherever it lives: one under /srv or /opt as much as one in /run."""
    import stat

    try:
        lines = Path("/proc/net/unix").read_text(errors="replace").splitlines()[1:]
    except OSError:
        return []
    found = []
    for line in lines:
        fields = line.split(None, 7)  # the path is the last field, and may hold spaces
        if len(fields) < 8 or not fields[7].startswith("/"):
            continue  # unbound, or abstract (a network namespace of its own cuts those)
        path = Path(fields[7])
        with contextlib.suppress(OSError, ValueError):
            if stat.S_ISSOCK(path.lstat().st_mode):
                found.append(path.resolve())
    return list(dict.fromkeys(found))


def broad_folders() -> list[Path]:
    """The shared folders a submission must not see at all: the temp folder, /tmp and /var/tmp (other
    programs' files and sockets: an ssh-agent's, a tmux server's), /run (the user's D-Bus session bus,
    which starts programs outside any namespace; the Docker socket), the rest of /var (the sockets that
    services keep under /var/lib, /var/spool or /var/snap: a database's, a mail system's, LXD's), the
    home folder and /dev/pts (the terminals: an unprivileged instructor's own, where a submission running as
    that uid could print into the instructor's screen and read what is typed)."""
    folders = [Path(tempfile.gettempdir()), Path("/tmp"), Path("/var/tmp"), Path("/run"), Path("/var"), Path.home(),
               Path("/dev/pts")]
    return list(dict.fromkeys(folder.resolve() for folder in folders if folder.resolve() != Path("/")))


def verifier_hidden(hide: list[Path]) -> list[Path]:
    """What the grader's verifier must not see (grader.grade.sandbox.cut_off_the_verifier): what a submission
    must not see (`hidden_paths`) but the hidden checks, which it runs. The shared folders of
    `broad_folders` (the temp and home folders, /run, /var) are covered, with what the verifier reads and
    writes bound back inside them (grader.grade.sandbox.verifier_visible and verifier_writable: the
    interpreter's folders, the grader's package and the training cache). The other students' files, the
    gradebook, the solutions, the tests, the record key and the grader's work folder (read before it is
    covered) stay covered, except where one holds such a folder (a record key kept in the course's own
    folder leaves that folder visible)."""
    from grader.grade.sandbox import verifier_visible, verifier_writable
    from grader.manifest import PACKAGE_DIR

    broad = broad_folders()
    needed = [*verifier_visible(), *verifier_writable()]
    covered = []
    for path in hide:
        resolved = Path(path).resolve()
        if resolved == (PACKAGE_DIR / "checks_hidden").resolve():
            continue
        if resolved in broad or not any(Path(n).resolve().is_relative_to(resolved) for n in needed):
            covered.append(path)
    return covered


def visible_folders(hide: list[Path]) -> list[Path]:
    """The folders that stay readable inside the hidden home or temp folder: the interpreter's
    (grader.grade.sandbox.interpreter_folders) and the grader's package, each only where it lies inside
    the home or temp folder and inside no other hidden path. Hidden paths inside them stay hidden (the
    sandbox covers them after binding these back), and the course's other files are not among them: a
    course cloned under /tmp shows a submission its grader package, not its solutions or its /tmp."""
    from grader.grade.sandbox import interpreter_folders

    broad = broad_folders()
    hidden = [p.resolve() for p in hide]
    root = ROOT.resolve()
    covers = [b for b in broad if b in hidden]
    return [folder for folder in dict.fromkeys([*interpreter_folders(), PACKAGE_DIR.resolve()])
            if any(folder.is_relative_to(b) and folder != b for b in covers)
            and not any(folder.is_relative_to(h) and h not in broad for h in hidden)
            and not root.is_relative_to(folder)]  # never the course's folder (or one above it) as a whole


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


def cache_trusted_dataset(work: Path, key: bytes) -> Path:
    """Load the pinned dataset once, in a trusted process, with its held-out split drawn with the secret
    `key` (see grader.grade.grade.split_key), into WORK/trusted/dataset-*.npz; return that path.

    WORK/trusted (0700) is where only the grader's own processes look; submissions must have it hidden.
    """
    from grader.grade.worker import DatasetJob, cache_dataset

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


def _source_of(path: Path) -> bytes:
    """The Python source of a submitted file (a notebook's code cells); ValueError/OSError if unreadable."""
    if path.stat().st_size > MAX_SOURCE_BYTES:
        raise ValueError(f"the file is larger than {MAX_SOURCE_BYTES:,} bytes")
    if path.suffix == ".ipynb":
        from grader.checks.notebook_source import notebook_to_source

        return notebook_to_source(path).encode("utf-8")
    return path.read_bytes()


def _answered(entry: Entry | None) -> bool:
    """Whether a public part's entry holds the answers of a file that loaded."""
    return isinstance(entry, Replay) and entry.loaded


@dataclass
class SpentBytes:
    """What one student's replies have cost the grader's memory so far: at most MAX_REPLY_ARRAY_BYTES of
    arrays and MAX_REPLY_HEADER_BYTES of headers (JSON)."""

    total: int = 0
    header_total: int = 0

    def add(self, arrays: list, header_bytes: int = 0) -> None:
        """Count `arrays` and a header of `header_bytes`, just read from a reply; _BadReply (costing the
        exercise it came in) past either bound."""
        added = sum(int(getattr(a, "nbytes", 0)) for a in arrays)
        self.total += added
        self.header_total += header_bytes
        if added and self.total > MAX_REPLY_ARRAY_BYTES:
            raise _BadReply("bad reply", f"your process sent more than {MAX_REPLY_ARRAY_BYTES // 2**20:,} MB of arrays in "
                            "its answers, more than the grader keeps of one student (the reference answers to "
                            "the whole course hold 14 MB)")
        if header_bytes and self.header_total > MAX_REPLY_HEADER_BYTES:
            raise _BadReply("bad reply", f"your process sent more than {MAX_REPLY_HEADER_BYTES // 2**20:,} MB of values "
                            "(JSON) in its answers, more than the grader keeps of one student (the reference answers "
                            "to the whole course hold 0.1 MB)")


# The flags the worker reports: Confinement's own (grader.grade.worker._open sends them by these names)
ISOLATION_FLAGS = tuple(f.name for f in fields(Confinement) if f.type == "bool")


def isolation_report(said: Any) -> dict | None:
    """The isolation the student's process reported (grader.grade.worker), as the gradebook keeps it: its
    known flags, its uid, how many paths it hid and a short list of problems, and nothing else. It is the
    process's word, and only its first exercise's report is written before a submission ran in it: a
    process could send anything there (the gradebook kept it whole, of any size)."""
    if not isinstance(said, dict):
        return None
    report = {flag: said[flag] for flag in ISOLATION_FLAGS if isinstance(said.get(flag), bool)}
    for count in ("uid", "hidden_paths"):
        report[count] = said[count] if type(said.get(count)) is int else None
    problems = said.get("problems")
    report["problems"] = [p[:300] for p in problems[:20] if isinstance(p, str)] if isinstance(problems, list) else []
    return report


class _BadReply(Exception):
    """An answer that cannot be read, or that is not the answer asked for: the exercise's outcome."""

    def __init__(self, status: str, detail: str) -> None:
        super().__init__(status, detail)
        self.entry = Outcome(status, detail)


def _reply(channel, message, task, deadline: float, spent: SpentBytes | None = None) -> tuple[dict, list]:
    """Send `message` (pickled: from the grader to the student's process) and read the answer in time; its
    arrays are counted in `spent`, the student's running total."""
    import pickle

    from grader.grade.values import unpack

    raw = channel.ask(pickle.dumps(message), deadline - time.monotonic())
    try:
        header, arrays = unpack(raw)
    except Exception as error:  # noqa: BLE001 - whatever the student's process sent, it costs only this exercise
        raise _BadReply("bad reply", f"the grader could not read the reply of your process ({str(error)[:300]})") from None
    if spent is not None:  # every reply counts, whatever it says (unpack checked the size against the reply)
        spent.add(arrays, header_bytes=int.from_bytes(raw[:8], "big"))
    if "grader_error" in header:
        raise _BadReply("grader error", f"the grader failed while running this exercise: {str(header['grader_error'])[:800]}")
    if header.get("exercise") != task.exercise_id or header.get("part") != task.part:
        raise _BadReply("bad reply", "the submission's process answered for another exercise")
    return header, arrays


def play_task(channel, task, decoys=None, pending: list | None = None, spent: SpentBytes | None = None) -> Entry:
    """One exercise's part, played as a dialogue with the student's process: open the file, then send
    each probe only once the one before is answered, then close it. Returns the exercise's entry: a
    Replay, or an Outcome for an answer that could not be read.
    Raises pool.ProcessEnded when the process stops answering within the task's time.

    With `decoys` (a numpy Generator), scenarios are sent with decoys for their secret arrays, and a
    PendingChallenge for the entry is appended to `pending` (see `challenge_student`). The arrays of the
    replies are counted in `spent` (SpentBytes: a reply past the student's bound fails its exercise)."""
    from grader.grade.challenge import PendingChallenge, with_decoys
    from grader.grade.functions import function_secrets
    from grader.grade.pool import ProcessEnded
    from grader.grade.steps import TIMED_OUT, StepStalled
    from grader.grade.values import shift_arrays
    from grader.grade.worker import AskProbe, CloseFile, OpenFile

    deadline = time.monotonic() + task.wall_s
    kept = {}
    try:
        header, _ = _reply(channel, OpenFile(task.exercise_id, task.filename, task.source, task.part), task, deadline,
                           spent)
        if "load_failure" in header:
            return Replay({**{k: header[k] for k in ("exercise", "part", "load_failure") if k in header},
                           "isolation": isolation_report(header.get("isolation"))}, [])
        results, arrays = {}, []
        for probe in task.probes:
            sent, secret = with_decoys(probe, decoys) if decoys is not None else (probe, None)
            if secret is not None:
                kept[probe.key] = secret
            step_deadline = min(deadline, time.monotonic() + task.step_s) if task.step_s else deadline
            try:
                answer, own = _reply(channel, AskProbe(sent), task, step_deadline, spent)
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
        closing, committed = _reply(channel, CloseFile(), task, deadline, spent)
    except _BadReply as bad:
        return bad.entry
    notes = closing.get("notes") if isinstance(closing.get("notes"), list) else []
    header = {"exercise": task.exercise_id, "part": task.part, "isolation": isolation_report(header.get("isolation")),
              "results": results, "notes": notes}
    functions = function_secrets(results, decoys) if decoys is not None else {}
    if (kept or functions) and pending is not None:
        pending.append(PendingChallenge(header, arrays, kept, closing.get("commitments"), committed, functions))
    return Replay(header, arrays)


def _play_tasks(channel, *, tasks: list, played: list, decoys=None, pending: list | None = None,
                stalled: list | None = None, spent: SpentBytes | None = None) -> None:
    """Play `tasks` in order, appending (task, entry, seconds) to `played`; stop at the first bad reply
    (the process is not trusted to go on) or when the process ends (pool.ProcessEnded). A probe that
    stalls (grader.grade.steps.StepStalled) is appended to `stalled` with the seconds its task took."""
    from grader.grade.pool import ProcessEnded
    from grader.grade.steps import StepStalled

    for task in tasks:
        began = time.perf_counter()
        try:
            entry = play_task(channel, task, decoys, pending, spent)
        except StepStalled as stall:
            if stalled is not None:
                stalled.append((stall, time.perf_counter() - began))
            raise
        if isinstance(entry, Outcome):
            raise ProcessEnded(entry.status, entry.reason)
        played.append((task, entry, time.perf_counter() - began))


def challenge_student(pending: list, memory_mb: int, hide: list[Path], scratch: Path, uid: int,
                      namespaces_required: bool = False) -> None:
    """Run every call the student's process committed to, on the real inputs and weights, in a second
    confined process that gets nothing but the SavedModels (grader.grade.challenge); put the outputs
    into the scenario facts. Pending parts whose challenge fails have those facts failed instead.

    Each part must be answered within CHALLENGE_WALL_S. A part whose graph stalls (or ends the
    challenger) fails alone: the parts after it are challenged in a fresh challenger. A challenger whose
    sandbox was refused raises SandboxNotSealed: the grader's failure, not the student's (the student's
    record is a "grader error", graded again next run)."""
    import pickle

    from grader.grade.challenge import ChallengeJob, apply_challenges, challenge_commitments, challenge_items
    from grader.grade.pool import run_dialogue
    from grader.grade.values import unpack

    work_list = [(part, *challenge_items(part)) for part in pending]
    replies: dict[int, tuple[list, list, str | None]] = {}
    stopped: dict[int, str] = {}  # part number -> how the challenger ended while it ran that part
    todo = [number for number, (_, _, items, _) in enumerate(work_list) if items]

    def talk(channel, numbers: list[int]) -> None:
        for number in numbers:
            _, artefact, items, _ = work_list[number]
            raw = channel.ask(pickle.dumps((artefact, items)), CHALLENGE_WALL_S)
            try:
                header, arrays = unpack(raw)
                if "grader_error" in header:  # its sandbox was refused: the student was not judged
                    raise SandboxNotSealed(f"the challenger: {header['grader_error']}")
                outputs = header.get("outputs")
                replies[number] = (outputs if isinstance(outputs, list) else [], arrays, header.get("error"))
            except (ValueError, KeyError, OSError, RecursionError, AttributeError):
                replies[number] = ([], [], "its reply could not be read")

    while todo:
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(parents=True, mode=0o700)
        limits = Limits(wall_s=CHALLENGE_WALL_S * len(todo), memory_mb=memory_mb,
                        namespaces_required=namespaces_required)
        job = ChallengeJob(limits, str(scratch), [str(p) for p in hide], uid, [str(p) for p in visible_folders(hide)])
        end = run_dialogue(challenge_commitments, job, partial(talk, numbers=todo), uid=uid, tree_limits=limits)
        if end is None:
            break
        at = next(number for number in todo if number not in replies)
        stopped[at] = f"the challenger {end.status}: {end.detail}".rstrip(": ")
        todo = [number for number in todo if number not in replies and number != at]
    shutil.rmtree(scratch, ignore_errors=True)
    for number, (part, _, _, places) in enumerate(work_list):
        unsaved = part.commitments.get("error") if isinstance(part.commitments, dict) else None
        outputs, arrays, error = replies.get(number, ([], [], str(unsaved)[:200] if unsaved else stopped.get(number)))
        apply_challenges(part, places, outputs, arrays, error)


def grade_student(student: StudentSubmission, setup: GradingSetup, slot: int) -> dict[str, Any]:
    """Answer the probes of the student's exercises in one confined process (one exercise after another,
    each within its own time; a failure costs only the exercise it hit), then verify them all in a
    trusted process. `slot` (0 ≤ slot < the machine's workers) picks the uid and scratch folder."""
    from grader.grade.pool import run_dialogue
    from grader.grade.steps import TIMED_OUT, Stall, add_stalls, continuation
    from grader.grade.verify import verify_entries
    from grader.grade.worker import ProbeJob, ProbeTask, probe_submission

    exercises, probes, hide, work = setup.exercises, setup.probes, setup.hide, setup.work
    started = time.perf_counter()
    entries: dict[str, Entry] = {}
    timings: dict[str, float] = {}
    tasks: list[ProbeTask] = []
    hidden_tasks: list[ProbeTask] = []
    for exercise in exercises:
        path = student.files.get(exercise.id)
        if student.refused:
            entries[exercise.id] = Outcome(student.refused.status, student.refused.reason)
            continue
        if path is None:
            entries[exercise.id] = Outcome("not submitted", "not submitted")
            continue
        try:
            source = _source_of(path)
        except Exception as error:  # noqa: BLE001 - an unreadable file costs only its exercise
            entries[exercise.id] = Outcome(UNREADABLE, f"the submitted file could not be read: {error}")
            continue
        discovered, wall_s = probes[exercise.id], exercise.time_budget_s + STARTUP_MARGIN_S
        step_s = exercise.time_budget_s  # each probe's own limit (grader.grade.steps)
        tasks.append(ProbeTask(exercise.id, exercise.filename, source, discovered["probes"], wall_s, step_s=step_s))
        if discovered["hidden_probes"]:
            hidden_tasks.append(ProbeTask(exercise.id, exercise.filename, source, discovered["hidden_probes"], wall_s,
                                          part="hidden", step_s=step_s))
    # Every exercise's public probes first, then the hidden checks' own: nothing a hidden check passes
    # to the learner's code can reach the feedback of a public check through the process's state.
    tasks += hidden_tasks
    hidden_parts: dict[str, Entry] = {}
    uid = setup.uid_base + slot
    scratch = work / "scratch" / f"slot{slot}"
    retried: set[tuple[str, str]] = set()
    decoys = np.random.default_rng(secrets.randbits(128))  # never seen by the student's process
    pending: list = []
    stalls: list = []  # grader.grade.steps.Stall of each probe that stalled
    reply_bytes = SpentBytes()  # the arrays of all this student's replies, across the processes that answer them
    while tasks:  # one process answers the exercises in turn; a failure costs only the exercise it hit
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(parents=True, mode=0o700)
        limits = Limits(wall_s=sum(t.wall_s for t in tasks), memory_mb=setup.memory_mb,
                        namespaces_required=setup.namespaces_required)
        job = ProbeJob(student.student, limits, str(scratch), [str(p) for p in hide], uid,
                       [str(p) for p in visible_folders(hide)])
        played: list[tuple[ProbeTask, Entry, float]] = []
        stalled: list = []
        end = run_dialogue(probe_submission, job, partial(_play_tasks, tasks=tasks, played=played, decoys=decoys,
                                                          pending=pending, stalled=stalled, spent=reply_bytes),
                           uid=uid, tree_limits=limits)
        for task, entry, seconds in played:
            timings[task.exercise_id] = round(timings.get(task.exercise_id, 0.0) + seconds, 3)
            (hidden_parts if task.part == "hidden" else entries)[task.exercise_id] = entry
        if end is None:
            break
        if stalled and end.status == TIMED_OUT:  # one probe stalled: it fails, the rest are played afresh
            stall, spent = stalled[0]
            stalls.append(Stall(stall.task.exercise_id, stall.task.part, stall.probe.key, stall.detail))
            timings[stall.task.exercise_id] = round(timings.get(stall.task.exercise_id, 0.0) + spent, 3)
            rest = continuation(stall, spent, STARTUP_MARGIN_S)
            if rest is not None:
                tasks = [rest, *tasks[len(played) + 1:]]
                continue
        stopped = tasks[len(played)]
        timings[stopped.exercise_id] = round(timings.get(stopped.exercise_id, 0.0) + end.seconds
                                             - sum(seconds for _, _, seconds in played), 3)
        (hidden_parts if stopped.part == "hidden" else entries)[stopped.exercise_id] = Outcome(end.status, end.detail)
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
        challenge_student(pending, setup.memory_mb, hide, work / "scratch" / f"slot{slot}-challenge", uid,
                          setup.namespaces_required)
    for exercise_id, entry in entries.items():
        if _answered(entry):
            entries[exercise_id] = replace(entry, hidden=hidden_parts.get(exercise_id))
    verified = verify_entries(student.student, entries, exercises, str(setup.dataset_cache), setup.verifier_hide,
                              setup.input_key, setup.namespaces_required)
    record_exercises = {}
    for exercise in exercises:
        entry = entries[exercise.id]
        result = verified[exercise.id]
        status = entry.status if isinstance(entry, Outcome) else result["status"]
        reason = entry.reason if isinstance(entry, Outcome) else result.get("reason")
        stalled_here = [s.reason for s in stalls if s.exercise_id == exercise.id]
        if stalled_here and not isinstance(entry, Outcome):  # graded, but one call was stopped: say so
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
