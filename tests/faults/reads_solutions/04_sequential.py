"""Tries to copy the reference solution or the hidden checks, and to read the other things the sandbox
hides: the tests, the repository's history, the stubs, the grader's record key (in root's home, or
where the unprivileged test keeps it) and the held-out split's secret key (in the gradebook's work folder)."""
import glob
from pathlib import Path

import grader

ROOTS = [Path(grader.__file__).resolve().parents[1], Path.cwd(), *Path(__file__).resolve().parents]
HIDDEN = ("tests/conftest.py", ".git/HEAD", ".git", "exercises/01_flatten.py")
STOLEN = None
READ = []
for root in ROOTS:
    for relative in ("solutions/04_sequential.py", "grader/checks_hidden/test_04_sequential.py"):
        try:
            STOLEN = (root / relative).read_text()
            break
        except OSError:
            continue
    for relative in HIDDEN:
        try:
            if (root / relative).read_bytes().strip():  # a covered file reads as empty (/dev/null)
                READ.append(str(root / relative))
        except OSError:
            continue
SPLIT_KEYS = [*glob.glob("/tmp/course-*/out/.work/split-key"),  # the held-out split's secret key, where the
              *glob.glob("/tmp/pytest-of-*/pytest-*/**/out*/.work/split-key", recursive=True)]  # tests keep their gradebooks
for key in ("/root/.local/state/keras-course/record-key", *glob.glob("/tmp/course-*/home/key"), *SPLIT_KEYS):
    try:
        if Path(key).read_bytes():
            READ.append(key)
    except OSError:
        continue


def build_model():
    if STOLEN is None:
        raise FileNotFoundError(f"could not read the solution; other hidden files read: {sorted(set(READ))}")
    namespace = {}
    exec(STOLEN, namespace)
    return namespace["build_model"]()
