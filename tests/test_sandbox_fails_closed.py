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


def test_a_path_that_does_not_exist_or_cannot_be_reached_needs_no_cover(tmp_path, monkeypatch):
    assert sandbox._exists(tmp_path)
    assert not sandbox._exists(tmp_path / "missing")
    assert not sandbox._exists(tmp_path / "missing" / "deeper")
    (tmp_path / "file").write_text("")
    assert not sandbox._exists(tmp_path / "file" / "under_a_file")  # ENOTDIR
    refused = tmp_path / "refused"
    monkeypatch.setattr(Path, "exists", lambda self: (_ for _ in ()).throw(PermissionError(errno.EACCES, "no")))
    assert not sandbox._exists(refused)


@pytest.mark.parametrize("number", [errno.EIO, errno.ENOMEM, errno.EOVERFLOW])
def test_an_error_that_says_nothing_about_the_path_refuses_the_cover_list(tmp_path, monkeypatch, number):
    """Before: any OSError read as "absent", and the path went uncovered; now the OSError reaches the
    confinement, which refuses to run the submission (SandboxNotSealed)."""
    monkeypatch.setattr(Path, "exists", lambda self: (_ for _ in ()).throw(OSError(number, "transient")))
    with pytest.raises(OSError) as raised:
        sandbox._exists(tmp_path)
    assert raised.value.errno == number


class _RefusingUnshare:
    """This process's libc, but `unshare` fails with ENOMEM (a transient refusal under load)."""

    def __init__(self, real):
        self.real = real

    def __getattr__(self, name):
        return getattr(self.real, name)

    @staticmethod
    def unshare(flags):
        ctypes.set_errno(errno.ENOMEM)
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
