"""`course grade`: grade a class — discovery, one isolated process per student that answers the probes
of its exercises one message at a time, a second isolated process that challenges what the first
committed to (grader.grade.challenge), trusted verification, and a resumable per-student result file.

Results are written atomically to `OUT/students/<student>.json` as each student finishes, signed
(grader.grade.signing). A run that is killed (even with SIGKILL) and started again keeps each stored
result whose record verifies, whose student's files are unchanged and whose exercise's fingerprint
(grader.grade.fingerprint) is unchanged, and grades the rest (grader.grade.resume), so the final
gradebook equals that of an uninterrupted run; a record that does not verify is graded again; grading
one student again replaces only that student's file.
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
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.export.roster import Roster
from grader.grade.deadlines import LateTerms, prepare_lateness
from grader.grade.intake import StudentSubmission, discover, student_file_name
from grader.grade.pool import context, run_job
from grader.grade.records import read_records
from grader.grade.sandbox import namespaces_available, new_uid_base
from grader.grade.signing import signed, verified
from grader.grade.student import GradingSetup, Slots, cache_trusted_dataset, grade_student, hidden_paths
from grader.manifest import PACKAGE_DIR, Course, load_course
from grader.results import failed_checks, write_json_atomic
from grader.students import MAX_SOURCE_BYTES

ROOT = PACKAGE_DIR.parent


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
    late: LateTerms | None = None  # deadline, late policy, extensions (grader.grade.deadlines)
    roster: Roster | None = None  # maps students to the LMS gradebooks' people (grader.export.roster)
    only_changed: bool = False  # grade only the changed exercises of students already graded; report moves
    similarity: bool = False  # also write similarity.csv/html (grader.similarity): flags, never changes a grade




def grader_fingerprint(course: Course, solutions: Path = ROOT / "solutions") -> str:
    """One digest of what decides every exercise's grade but the data (grader.grade.fingerprint): what a
    cluster's workers must share with the client."""
    from grader.grade.fingerprint import GradingCode, course_fingerprint

    return course_fingerprint(GradingCode(Path(__file__)), course, solutions)


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


def discover_checks(options: GradeOptions, exercise_ids: list[str], input_key: bytes) -> dict:
    """The probes of the exercises, their arrays drawn with this run's secret `input_key`
    (grader.checks.inputs), discovered in a trusted process. Never stored: another run draws others."""
    from grader.grade.worker import discover_probes

    outcome = run_job(discover_probes, (str(options.solutions), exercise_ids, input_key), wall_s=900)
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
    return discovered


def grade_class(inputs: list[Path], options: GradeOptions) -> list[dict[str, Any]]:
    """Grade every student found under `inputs`; return the student records of this run."""
    course = load_course()
    exercises = [course.find(e) for e in options.exercises] if options.exercises else list(course.exercises)
    out = options.out.resolve()
    (out / "students").mkdir(parents=True, exist_ok=True)
    prepare_lateness(out, inputs, exercises, options.late, set(options.roster.entries) if options.roster else set())
    remove_stale_work_folders()
    work = Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{os.getpid()}-"))  # scratch, extracted archives, dataset
    try:
        with _terminate_as_exit():
            os.chmod(work, 0o711)
            records = _grade_into(out, work, inputs, exercises, course, options)
    finally:
        from grader.grade.pool import shutdown

        shutdown()
        shutil.rmtree(work, ignore_errors=True)  # the trusted dataset cache among it
    write_class_gradebook(out, course, options.roster)
    if options.similarity:
        from grader.similarity.run import find_similarity, write_similarity

        write_similarity(out, find_similarity(inputs, exercises))
    return sorted(records, key=lambda r: r["student"])


def write_class_gradebook(out: Path, course: Course, roster: Roster | None = None) -> list[Path]:
    """Write the gradebook (grader.export.gradebook) of the verified records in OUT/students, with the
    late terms recorded in OUT (grader.grade.deadlines) applied to them."""
    from grader.datasets import chosen_dataset_name, load_dataset
    from grader.export.gradebook import Gradebook, write_gradebook
    from grader.grade import cpu_share
    from grader.grade.deadlines import apply_late, read_late_facts
    from grader.grade.sandbox import describe

    records, unverified = read_records(out)
    late = read_late_facts(out)
    if late:
        records = [apply_late(r, late["students"].get(r["student"])) for r in records]
    terms = {k: v for k, v in late.items() if k != "students"} if late else None
    dataset = load_dataset(chosen_dataset_name(), stored_split_key(out)).summary  # the split batch grading used
    return write_gradebook(out, records, Gradebook(course, dataset, f"{describe()}; {cpu_share.describe()}", unverified, terms, roster))


def _grade_into(out: Path, work: Path, inputs: list[Path], exercises, course: Course,
                options: GradeOptions) -> list[dict[str, Any]]:
    """Grade into OUT/students what the stored records do not already hold (grader.grade.resume); with
    `options.only_changed`, only the changed exercises of students already graded, and write changes.csv."""
    from grader.grade.changes import grade_changes, write_changes
    from grader.grade.fingerprint import GradingCode, exercise_fingerprints
    from grader.grade.resume import merged_record, plan_student

    students = discover(inputs, exercises, work)
    # The checks' arrays of this run (grader.checks.inputs): a new key for every run, so that what one
    # run's feedback tells a student of them (a failing check quotes values) is no use in the next one.
    input_key = secrets.token_bytes(32)
    prints = exercise_fingerprints(GradingCode(Path(__file__)), exercises, options.solutions, split_key(out))
    groups: dict[tuple[str, ...], list] = {}
    records, changes = [], []

    def store(plan, graded: dict[str, Any] | None) -> dict[str, Any]:
        record = signed(merged_record(plan, graded, prints, submission_fingerprint(plan.student)))
        write_json_atomic(out / "students" / f"{student_file_name(plan.student.student)}.json", record)
        records.append(record)
        if options.only_changed:
            found = grade_changes(plan.stored, record, plan.reasons)
            changes.extend(found)
            for change in found:
                _notify(options, "change", change.as_dict())
        return record

    for student in students:
        plan = plan_student(student, _load_record(out, student.student), exercises, prints,
                            submission_fingerprint(student), options.force)
        if options.only_changed and not plan.trusted:
            _notify(options, "left", {"student": student.student, "reason": plan.reasons[exercises[0].id]})
        elif plan.unchanged:
            records.append(plan.stored)
            _notify(options, "skipped", plan.stored)
        elif not plan.regrade:  # only exercises to drop
            _notify(options, "skipped", store(plan, None))
        else:
            groups.setdefault(tuple(e.id for e in plan.regrade), []).append(plan)
    if groups:  # discover_checks runs the reference solutions in the local forkserver, on a cluster too
        # The forkserver imports TensorFlow in its own process from now on (≈5 s): started before this
        # process imports it for discover_checks, the two imports overlap instead of following each other.
        context()
    for ids, plans in groups.items():  # usually one group: the exercises whose fingerprint changed
        subset = [e for e in exercises if e.id in ids]
        by_student = {p.student.student: p for p in plans}
        probes = discover_checks(options, list(ids), input_key)
        todo = [p.student for p in plans]
        if options.scheduler:
            graded = _grade_on_cluster(todo, subset, probes, input_key, options,
                                       grader_fingerprint(course, options.solutions))
        else:
            graded = _grade_here(todo, subset, probes, input_key, options, inputs, work)
        for student, record, error in graded:
            failed = record is None
            if failed:  # e.g. its cluster task failed: a "grader error" row now, graded again next run
                record = failed_record(student, subset, error)
            record = store(by_student[student.student], record)
            if failed and options.on_progress:
                options.on_progress("failed", {"student": student.student, "reason": error})
            elif not failed:
                _notify(options, "graded", record)
    if options.only_changed:
        write_changes(out, changes)
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
    from grader.grade.secret_file import made_once

    return made_once(_split_key_path(out))  # two runs that start at once agree on one whole key


def _split_key_path(out: Path) -> Path:
    return out / ".work" / "split-key"


def stored_split_key(out: Path) -> bytes | None:
    """The gradebook's split key (see `split_key`) if it has one yet."""
    path = _split_key_path(out)
    return path.read_bytes() if path.is_file() else None


def _grade_here(todo: list[StudentSubmission], exercises, probes: dict, input_key: bytes, options: GradeOptions,
                inputs: list[Path], work: Path) -> Iterator[tuple[StudentSubmission, dict[str, Any] | None, str]]:
    """Grade the students on this machine, `options.workers` at a time, with the `probes` discovered
    with `input_key`; yield them as they finish."""
    dataset_cache = cache_trusted_dataset(work, split_key(options.out.resolve()))  # starts the forkserver, whose folder is hidden too
    hide = [work, *hidden_paths(inputs, solutions=options.solutions, out=options.out, extra=options.extra_hide)]
    slots = Slots(options.workers)
    setup = GradingSetup(exercises, probes, options.memory_mb, hide, work, dataset_cache, new_uid_base(options.workers),
                         input_key, namespaces_available())  # asked once, before the workers' threads start

    def run(student: StudentSubmission) -> dict[str, Any]:
        with slots.taken() as slot:
            return grade_student(student, setup, slot)

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
    reason = f"the grader failed while grading this submission ({error[-500:]}); grade it again"
    return {
        "student": student.student, "source": str(student.source), "problems": [*student.problems, reason],
        "exercises": {e.id: {"slug": e.slug, "title": e.title, "status": "grader error", "reason": reason,
                             "points": 0, "max_points": e.max_points, "checks": [c.gradebook_entry() for c in failed_checks(e, reason)],
                             "isolation": None, "seconds": None, "check_seconds": None} for e in exercises},
        "total": 0, "max_total": sum(e.max_points for e in exercises), "status": "grader error", "seconds": 0.0,
        "retry": True,
    }


def _grade_on_cluster(todo: list[StudentSubmission], exercises, probes: dict, input_key: bytes, options: GradeOptions,
                      fingerprint: str) -> Iterator[tuple[StudentSubmission, dict[str, Any] | None, str]]:
    """Grade the students on the Dask cluster at `options.scheduler` (see grader.grade.cluster), with the
    `probes` discovered with `input_key`."""
    from grader.grade.cluster import grade_on_cluster

    by_id = {s.student: s for s in todo}
    for student, record, error in grade_on_cluster(options.scheduler, todo, [e.id for e in exercises], probes,
                                                   options.memory_mb, fingerprint, split_key(options.out.resolve()),
                                                   input_key, grader_fingerprint):
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
