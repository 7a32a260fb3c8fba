"""Fills its working folder: first one file as large as it can (up to 256 MB), then one file per 2 MB
until a write fails, and says how much each got and how large its folder's file system is. A tmpfs is
memory the whole-submission memory watcher does not count (its pages are not the process's): the one
file is held to the sandbox's file-size limit (16 MB), the many to the private scratch's own size
(64 MB)."""
import os
import shutil
import tempfile

FOLDER = tempfile.gettempdir()
MB = 1 << 20


def _one_large_file() -> int:
    written = 0
    try:
        with open(os.path.join(FOLDER, "large"), "wb") as large:
            while written < 256:
                large.write(b"\0" * MB)
                large.flush()
                written += 1
    except OSError:
        pass
    os.remove(os.path.join(FOLDER, "large"))
    return written


def _many_files() -> int:
    written = 0
    try:
        while written < 256:
            with open(os.path.join(FOLDER, f"filler-{written}"), "wb") as filler:
                filler.write(b"\0" * (2 * MB))
            written += 2
    except OSError:
        pass
    return written


SIZE_MB = shutil.disk_usage(FOLDER).total // MB
FILE_MB = _one_large_file()
SCRATCH_MB = _many_files()


def build_model():
    raise RuntimeError(f"FILE stopped at {FILE_MB} MB; SCRATCH wrote {SCRATCH_MB} MB of {SIZE_MB} MB")
