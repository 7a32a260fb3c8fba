"""The sandbox fails closed: a path it cannot tell exists is not silently left uncovered, and namespaces the
machine gave when the run started are not done without when a later `unshare` is refused."""

import ctypes
import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.grade import sandbox


def _stat_fails_for(monkeypatch, path: Path, number: int) -> None:
    """os.stat of `path` fails with errno `number`; of any other path, as it does."""
    real = os.stat

    def stat(name, *args, **kwargs):
        if Path(name) == path:
            raise OSError(number, os.strerror(number), str(name))
        return real(name, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)


def test_a_path_that_does_not_exist_or_cannot_be_reached_needs_no_cover(tmp_path, monkeypatch):
    assert sandbox._exists(tmp_path)
    assert not sandbox._exists(tmp_path / "missing")
    assert not sandbox._exists(tmp_path / "missing" / "deeper")
    (tmp_path / "file").write_text("")
    assert not sandbox._exists(tmp_path / "file" / "under_a_file")  # ENOTDIR
    refused = tmp_path / "refused"
    _stat_fails_for(monkeypatch, refused, errno.EACCES)
    assert not sandbox._exists(refused)


@pytest.mark.parametrize("number", [errno.EIO, errno.ENOMEM, errno.EOVERFLOW])
def test_an_error_that_says_nothing_about_the_path_refuses_the_cover_list(tmp_path, monkeypatch, number):
    """Before: any OSError read as "absent", and the path went uncovered; now the OSError reaches the
    confinement, which refuses to run the submission (SandboxNotSealed)."""
    _stat_fails_for(monkeypatch, tmp_path, number)
    with pytest.raises(OSError) as raised:
        sandbox._exists(tmp_path)
    assert raised.value.errno == number


class _RefusingUnshare:
    """This process's libc, but `unshare` fails with `number` (ENOMEM: a passing shortage under load)."""

    def __init__(self, real, number=errno.ENOMEM):
        self.real, self.number = real, number

    def __getattr__(self, name):
        return getattr(self.real, name)

    def unshare(self, flags):
        ctypes.set_errno(self.number)
        return -1


def _in_a_fork(step) -> int:
    """Run `step()` in a forked child, as the forkserver starts a submission's process; its exit code:
    42 when it raised SandboxNotSealed saying the namespaces were refused, 0 when it returned."""
    child = os.fork()
    if child == 0:
        code = 3
        try:
            real = sandbox._libc()
            sandbox._libc = lambda: _RefusingUnshare(real)
            step()
            code = 0
        except sandbox.SandboxNotSealed as refused:
            code = 42 if "were refused" in str(refused) and "Cannot allocate memory" in str(refused) else 4
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status)


def test_namespaces_given_at_the_start_are_required_of_every_submission_process(tmp_path):
    """Before: `confine` ran the submission with process limits only whenever `unshare` failed, as it must
    on a kernel that never gives namespaces; now, where the run found them, a refusal refuses the run."""
    if os.geteuid() != 0:
        pytest.skip("confine's fallback as another user needs root here")
    scratch = tmp_path / "scratch"
    scratch.mkdir()

    def confined(required: bool):
        return lambda: sandbox.confine(sandbox.Limits(namespaces_required=required), scratch, [tmp_path / "hidden"],
                                       sandbox.UID_RANGE[0])

    assert _in_a_fork(confined(required=True)) == 42
    assert _in_a_fork(confined(required=False)) == 0  # the documented fallback, where none were ever given


def test_namespaces_given_at_the_start_are_required_of_the_verifier():
    assert _in_a_fork(lambda: sandbox.cut_off_the_verifier([], namespaces_required=True)) == 42


@pytest.mark.parametrize(("number", "given"), [(errno.ENOMEM, True), (errno.EAGAIN, True), (errno.EPERM, False),
                                               (errno.EINVAL, False), (errno.ENOSPC, False), (errno.EUSERS, False)])
def test_only_a_refusal_of_policy_lets_a_run_fall_back(monkeypatch, number, given):
    """The probe a run starts with: a passing shortage still counts as namespaces given (its jobs then
    fail closed, one by one, rather than the whole run falling back to process limits); a refusal that
    says the machine gives none to this user (no privilege, user namespaces off or counted to 0, a kernel
    without them) lets the documented fallback run."""
    real = sandbox._libc()
    monkeypatch.setattr(sandbox, "_libc", lambda: _RefusingUnshare(real, number))
    assert sandbox.namespaces_available() is given


PROBE = "from grader.grade import sandbox; print(sandbox.namespaces_available())"


@pytest.mark.parametrize("user", ["root", "unprivileged"])
def test_this_machine_gives_the_namespaces_the_grader_asks_for(root, user):
    """The probe a run starts with says yes here (root, and a user namespace standing in for an unprivileged
    instructor), so every job of a run on this machine requires them."""
    if os.geteuid() != 0 or user == "unprivileged" and not shutil.which("unshare"):
        pytest.skip("needs root (and util-linux unshare to stand in for an unprivileged user)")
    prefix = ["unshare", "--user", "--map-user=1000", "--map-group=1000"] if user == "unprivileged" else []
    done = subprocess.run([*prefix, sys.executable, "-c", PROBE], cwd=root, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "True", done.stderr[-2000:]


def test_a_challenger_whose_sandbox_is_refused_answers_with_the_grader_s_error(tmp_path):
    """Before, the refusal ended the challenger (status 71), read as "exited early … sys.exit() in the
    submission": every challenged check of the student failed, on the student's account. Now each
    message gets the grader's error, which the grader raises (grader.grade.student.challenge_student):
    the student's record is a "grader error", graded again next run."""
    import multiprocessing
    import pickle

    from grader.grade.challenge import ChallengeJob, challenge_commitments
    from grader.grade.values import unpack

    if os.geteuid() != 0:
        pytest.skip("the challenger's fallback as another user needs root here")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    ours, theirs = multiprocessing.Pipe()
    child = os.fork()
    if child == 0:
        try:
            ours.close()
            real = sandbox._libc()
            sandbox._libc = lambda: _RefusingUnshare(real)
            challenge_commitments(ChallengeJob(sandbox.Limits(namespaces_required=True), str(scratch), [],
                                               sandbox.UID_RANGE[0]), theirs)
        finally:
            os._exit(3)
    theirs.close()
    replies = []
    for _ in range(2):
        ours.send_bytes(pickle.dumps((None, [])))
        replies.append(unpack(ours.recv_bytes())[0])
    ours.close()
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert all("were refused" in r["grader_error"] and "Cannot allocate memory" in r["grader_error"]
               for r in replies), replies


def test_the_gradebook_s_isolation_line_says_what_this_machine_gives(monkeypatch):
    """grades.json's isolation line is `sandbox.describe()`: as root on a machine that refuses namespaces
    (a container without CAP_SYS_ADMIN) it claimed private namespaces and hidden paths all the same. It now
    says what holds, asking the machine as a run does."""
    if os.geteuid() != 0:
        pytest.skip("the root lines")
    assert sandbox.namespaces_available() and sandbox.describe().startswith("root: private mount")
    monkeypatch.setattr(sandbox, "namespaces_available", lambda: False)
    line = sandbox.describe()
    assert line.startswith("root WITHOUT namespaces") and "within a submission's reach" in line
