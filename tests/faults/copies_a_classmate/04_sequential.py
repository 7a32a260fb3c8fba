"""Copies a classmate: looks for the other students' files and the gradebook where the test keeps them
outside every temp folder (CLASS and GRADEBOOK, written by the test: tests/test_batch.py), runs the first
classmate's exercise 4 it can read as its own, and otherwise says what it found. The class's folder and
the gradebook are hidden from a submission by name, not only because the temp folders are."""
import glob
from pathlib import Path

CLASS = "/nowhere/class"  # replaced by the test
GRADEBOOK = "/nowhere/out"  # replaced by the test

COPIED = None
for path in sorted(glob.glob(f"{CLASS}/*/04_sequential.py")):
    if "copies_a_classmate" in path:
        continue
    try:
        COPIED = Path(path).read_text() or None  # a covered file reads as empty
    except OSError:
        continue
    if COPIED:
        break
READ = []
for path in glob.glob(f"{GRADEBOOK}/**/*", recursive=True) + glob.glob(f"{GRADEBOOK}/.work/*"):
    try:
        if Path(path).is_file() and Path(path).read_bytes():
            READ.append(path)
    except OSError:
        continue


def build_model():
    if COPIED is None:
        raise FileNotFoundError(f"COPY none found; gradebook files read: {sorted(READ)}")
    namespace = {}
    exec(COPIED, namespace)
    return namespace["build_model"]()
