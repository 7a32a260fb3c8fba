"""Which paths the sandbox covers: a path it cannot tell exists is not silently left uncovered."""

import errno
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
