"""`course grade --scheduler ADDRESS`: the same grading, spread over a Dask distributed cluster.

The client — the instructor's `course grade` — reads the submissions, discovers the probes, and
keeps the resumable per-student results and the gradebook, exactly as on one machine. Each student
is one Dask task. On a worker, `grade_student` runs as it does locally: the worker's own forkserver
(TensorFlow imported once per worker process), its own trusted dataset cache, the same sandbox. The
task returns the student's record.

Workers must run the same version of the course and use the same dataset as the client (a task
refuses to grade otherwise), and must be allowed to start processes: start them with
`DASK_DISTRIBUTED__WORKER__DAEMON=False`.
"""

from __future__ import annotations

import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.grade.intake import StudentSubmission
from grader.grade.student import Slots, cache_trusted_dataset
from grader.manifest import Course


@dataclass
class StudentPayload:
    """A student's submission as it travels to a worker: file names and contents, not paths."""

    student: str
    source: str
    files: dict[str, tuple[str, bytes]]  # exercise id -> (file name, content)
    problems: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, student: StudentSubmission) -> StudentPayload:
        return cls(student.student, str(student.source),
                   {e: (path.name, path.read_bytes()) for e, path in student.files.items()}, list(student.problems))


def grade_on_cluster(address: str, students: list[StudentSubmission], exercise_ids: list[str], probes: dict,
                     memory_mb: int, fingerprint: str, split_key: bytes, input_key: bytes,
                     fingerprint_of: Callable[[Course], str]) -> Iterator[tuple[str, dict[str, Any] | None, str]]:
    """Grade each student as one task on the cluster at `address`; yield (student, record, error) as
    tasks finish. A worker computes `fingerprint_of(course)` and refuses to grade unless it equals the
    client's `fingerprint`. A task that fails (e.g. its worker died more often than Dask retries) gives
    record None and the reason: that student has no result yet, and a later run grades them again."""
    from distributed import Client, as_completed

    from grader.datasets import chosen_dataset_name

    run, dataset = uuid.uuid4().hex[:8], chosen_dataset_name()
    with Client(address, timeout="30s") as client:
        futures = {client.submit(grade_remotely, StudentPayload.of(s), exercise_ids, probes, memory_mb, fingerprint,
                                 dataset, split_key, input_key, fingerprint_of, key=f"course-grade-{run}-{s.student}", pure=False): s.student
                   for s in students}
        for future in as_completed(futures):
            student = futures[future]
            try:
                yield student, future.result(), ""
            except Exception as error:  # noqa: BLE001 - one student's failure must not stop the class
                yield student, None, f"{type(error).__name__}: {error}"


@dataclass
class _WorkerSetup:
    """What one worker process prepares once: a work folder, the trusted dataset cache, uids and slots."""

    address: str  # the worker's, recorded in each student's record
    work: Path
    uid_base: int
    slots: Slots
    namespaces_required: bool  # asked once per worker (sandbox.namespaces_available)


_SETUP: _WorkerSetup | None = None
_SETUP_LOCK = threading.Lock()


def _worker_setup() -> _WorkerSetup:
    global _SETUP
    with _SETUP_LOCK:
        if _SETUP is None:
            from distributed import get_worker

            from grader.grade.sandbox import namespaces_available, new_uid_base

            worker = get_worker()
            slots = max(1, int(worker.state.nthreads))
            work = Path(tempfile.mkdtemp(prefix="course-worker-"))
            work.chmod(0o711)
            (work / "extracted").mkdir(mode=0o700)
            _SETUP = _WorkerSetup(worker.address, work, new_uid_base(slots), Slots(slots), namespaces_available())
        return _SETUP


def grade_remotely(payload: StudentPayload, exercise_ids: list[str], probes: dict, memory_mb: int,
                   fingerprint: str, dataset: str, split_key: bytes, input_key: bytes,
                   fingerprint_of: Callable[[Course], str]) -> dict[str, Any]:
    """The task run on a worker: grade one student with this worker's forkserver and sandbox, on the
    dataset split with the client's secret `split_key`, the checks drawing their arrays with the
    client's run's `input_key` (the one its probes were discovered with)."""
    import shutil

    from grader.datasets import chosen_dataset_name
    from grader.grade.student import GradingSetup, grade_student, hidden_paths
    from grader.manifest import load_course

    course = load_course()
    if fingerprint_of(course) != fingerprint:
        raise RuntimeError("this worker runs a different version of the course than the client")
    if chosen_dataset_name() != dataset:
        raise RuntimeError(f"this worker would grade on {chosen_dataset_name()!r}, the client on {dataset!r}: start "
                           f"the worker with COURSE_DATASET={dataset}")
    setup = _worker_setup()
    with _SETUP_LOCK:
        dataset_cache = cache_trusted_dataset(setup.work, split_key)
    folder = setup.work / "extracted" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    try:
        files = {}
        for exercise_id, (name, content) in payload.files.items():
            (folder / Path(name).name).write_bytes(content)
            files[exercise_id] = folder / Path(name).name
        student = StudentSubmission(payload.student, Path(payload.source), files, list(payload.problems))
        hide = [setup.work, *hidden_paths([folder], out=setup.work / "out")]
        grading = GradingSetup([course.find(e) for e in exercise_ids], probes, memory_mb, hide, setup.work,
                               dataset_cache, setup.uid_base, input_key, setup.namespaces_required)
        with setup.slots.taken() as slot:
            record = grade_student(student, grading, slot)
        record["graded_on"] = setup.address
        return record
    finally:
        shutil.rmtree(folder, ignore_errors=True)
