"""The sample class `make demo` grades (grader.author.sample_class): each student is what the README
says — the disguised copy computes the same and is flagged, the late students are late."""

from __future__ import annotations

import csv
import subprocess
import sys

import numpy as np

from grader.author.sample_class import SAMPLE_DEADLINE, disguised, write_sample_class
from grader.grade.deadlines import parse_time


def _namespace(source: str) -> dict:
    namespace: dict = {}
    exec(compile(source, "<answer>", "exec"), namespace)  # noqa: S102 - the course's own solution
    return namespace


def test_the_disguised_copy_looks_different_and_computes_the_same(root):
    source = (root / "solutions" / "02_dense.py").read_text()
    copy = disguised(source)
    assert copy != source and "#" not in copy
    original, copied = _namespace(source), _namespace(copy)
    rng = np.random.default_rng(0)
    x, kernel, bias = rng.normal(size=(3, 5)), rng.normal(size=(5, 4)), rng.normal(size=4)
    for activation in (None, "relu"):
        np.testing.assert_allclose(copied["dense_forward"](x, kernel, bias, activation=activation),
                                   original["dense_forward"](x, kernel, bias, activation=activation))
    assert copied["dense_param_count"](784, 128) == original["dense_param_count"](784, 128) == 100_480


def test_the_sample_class_has_its_five_students_with_their_times(tmp_path):
    students = write_sample_class(tmp_path / "class")
    assert students == ["alice", "bob", "carol", "dave", "erin"]
    assert (tmp_path / "class" / "erin.zip").is_file()
    times = {s: parse_time((tmp_path / "class" / s / "timestamp.txt").read_text().strip(), "timestamp.txt")
             for s in students[:4]}
    assert times["alice"] < SAMPLE_DEADLINE < times["carol"] < times["dave"]


def test_similarity_flags_the_disguised_copy_and_not_the_independent_answers(tmp_path):
    write_sample_class(tmp_path / "class")
    proc = subprocess.run([sys.executable, "-m", "grader.cli", "similarity", str(tmp_path / "class"), "--out",
                           str(tmp_path / "out")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(tmp_path / "out" / "similarity.csv", newline="") as handle:
        flagged = {(r["exercise"], r["student_a"], r["student_b"]) for r in csv.DictReader(handle) if r["flagged"] == "true"}
    assert {("01_flatten", "alice", "carol"), ("02_dense", "alice", "carol")} <= flagged
    assert not {f for f in flagged if "bob" in f or ("dave" in f and f[0] != "04_sequential")}
