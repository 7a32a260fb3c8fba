"""Secrets made on first use (grader.grade.secret_file: the record-signing key, a gradebook's split key):
runs that start at once share one whole secret."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Forks four processes that each ask for a key not made yet, `trials` times; prints the trials where they
# did not all read the same 32 bytes, or left a draft behind. A fresh interpreter: no TensorFlow to fork.
RACE = """
import os, sys
from pathlib import Path
from grader.grade.secret_file import made_once
base, trials, split = sys.argv[1], int(sys.argv[2]), []
for trial in range(trials):
    path = os.path.join(base, str(trial), "record-key")
    readers = []
    for _ in range(4):
        r, w = os.pipe()
        if os.fork() == 0:
            os.close(r)
            try:
                os.write(w, made_once(Path(path)))
            finally:
                os._exit(0)
        os.close(w)
        readers.append(r)
    keys = []
    for r in readers:
        key = b""
        while chunk := os.read(r, 64):
            key += chunk
        os.close(r)
        keys.append(key)
    for _ in readers:
        os.wait()
    left = sorted(os.listdir(os.path.dirname(path)))
    if len(set(keys)) != 1 or len(keys[0]) != 32 or left != ["record-key"]:
        split.append((trial, sorted(len(k) for k in keys), left))
print(split)
"""


def test_runs_that_make_the_key_at_once_all_read_the_same_whole_key(tmp_path):
    """300 times, four processes make the secret at once: each reads the same 32 bytes, and no draft is left.
    (Creating the file, then writing into it, let another run read it empty — about one start in fifteen
    here — and sign its records with an empty key, or split the data with one.)"""
    race = subprocess.run([sys.executable, "-c", RACE, str(tmp_path), "300"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert race.returncode == 0, race.stderr[-2000:]
    assert race.stdout.strip() == "[]", race.stdout[:2000]
