"""Per-exercise grade fingerprints: a digest of everything that decides one exercise's grade.

Resuming `course grade` keeps an exercise's stored result only while its fingerprint is unchanged
(grader.grade.resume). An exercise's fingerprint has named parts, each a digest:

- `code`: every grader file in the static import closure (grader.grade.closure) of the grading code
  (the module that builds the records, given by the caller, with the processes it runs, the forkserver's
  preload and the course's pytest plugin) and of the exercise's public and hidden check modules (with
  any `conftest.py` pytest would load beside them). A module imported by exercise 4's checks alone is in
  04's fingerprint only; `grade.py` (adds the points), `manifest.py` (reads them) and `checkfiles.py`
  (decides which checks are hidden) are in every exercise's.
- `manifest`: the exercise's whole entry in `course.toml` (points, thresholds, budgets, hints, any other
  key) and the course-wide settings (`[course]`: the seed among them; any other table but the datasets).
- `solution`: the reference solution file, from which the checks' probes are discovered.
- `packages`: the versions (importlib.metadata) of the distributions the closure imports (keras, numpy,
  tensorflow, pytest…), of everything they require, and of every pytest plugin installed, and
  Python's own.
- `environment`: the settings handed on to every graded process (grader.grade.sandbox.SAFE_ENV_KEYS:
  KERAS_BACKEND, TF_ENABLE_ONEDNN_OPTS, OMP_NUM_THREADS, …) but PATH and the dataset's name.
- `dataset`: for an exercise whose checks use the data (it has accuracy thresholds, a check of it asks
  for a fixture that loads the data, or its check modules import grader.datasets), the dataset's name,
  its manifest entry and a digest of its arrays as grader.datasets splits them for this gradebook
  (with its secret split key); `unused` for the others.

Nothing of a submission feeds it: module names resolve inside the grader's package folder only (never
through `sys.path`, which may hold the current folder), and installed versions are read from the
interpreter's own paths, not from the current folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from grader.grade.closure import PackageModules, import_closure
from grader.manifest import MANIFEST_PATH, PACKAGE_DIR, Course, Exercise

UNUSED = "unused"  # the dataset part of an exercise that does not touch the data


@dataclass(frozen=True)
class ExerciseFingerprint:
    """One exercise's fingerprint: a digest per part (see the module docstring)."""

    exercise_id: str
    parts: dict[str, str] = field(hash=False)

    @property
    def digest(self) -> str:
        return _digest(json.dumps(self.parts, sort_keys=True).encode())

    def changed_parts(self, stored: object) -> list[str]:
        """The parts that differ from `stored` (the `parts` a record kept); every part when `stored` is not
        a fingerprint at all (absent, or from an older grader)."""
        if not isinstance(stored, dict) or set(stored) != set(self.parts):
            return list(self.parts)
        return [name for name in self.parts if stored[name] != self.parts[name]]


@dataclass(frozen=True)
class GradingCode:
    """Where grading starts: the module that builds the records, and the package it belongs to."""

    entry: Path  # e.g. grader/grade/grade.py
    package_dir: Path = PACKAGE_DIR
    manifest: Path = MANIFEST_PATH


def exercise_fingerprints(code: GradingCode, exercises: Iterable[Exercise], solutions: Path,
                          split_key: bytes | None, *, with_dataset: bool = True) -> dict[str, ExerciseFingerprint]:
    """The fingerprint of each exercise, by id. The dataset (grader.datasets.chosen_dataset_name()) is
    loaded, split with `split_key`, only if one of them uses it; without `with_dataset` it is not loaded
    and the dataset part only says whether the exercise uses it."""
    exercises = list(exercises)
    modules = PackageModules(code.package_dir)
    roots = grading_roots(code)
    raw = tomllib.loads(Path(code.manifest).read_text(encoding="utf-8"))
    shared = {k: v for k, v in raw.items() if k not in ("exercise", "datasets")}
    entries = {str(e.get("id")): e for e in raw.get("exercise", []) if isinstance(e, dict)}
    environment = _digest_json({k: os.environ.get(k) for k in _environment_keys()})
    data_fixtures = dataset_fixtures(modules, plugin_modules(code))
    dataset: str | None = None
    fingerprints = {}
    for exercise in exercises:
        checks = check_modules(exercise, code.package_dir)
        closure = import_closure(modules, [*roots, *checks])
        if uses_dataset(exercise, modules, checks, data_fixtures):
            if dataset is None:
                dataset = dataset_identity(split_key, raw.get("datasets", {})) if with_dataset else "used"
            data_part = dataset
        else:
            data_part = UNUSED
        solution = Path(solutions) / exercise.filename
        fingerprints[exercise.id] = ExerciseFingerprint(exercise.id, {
            "code": _digest_files(closure.files, code.package_dir),
            "manifest": _digest_json({"exercise": entries.get(exercise.id), "course": shared}),
            "solution": _digest(solution.read_bytes()) if solution.is_file() else "absent",
            "packages": _digest_json(package_versions(closure.external)),
            "environment": environment,
            "dataset": data_part,
        })
    return fingerprints


def course_fingerprint(code: GradingCode, course: Course, solutions: Path) -> str:
    """One digest of every exercise's fingerprint but the dataset part: what two machines must agree on
    to grade the same way (a cluster's workers and its client; the dataset is compared by name)."""
    prints = exercise_fingerprints(code, course.exercises, solutions, None, with_dataset=False)
    return _digest_json({e: f.parts for e, f in prints.items()})[:16]


def grading_roots(code: GradingCode) -> list[Path]:
    """The modules grading starts from: `code.entry`, and the package's pytest plugins."""
    return [Path(code.entry).resolve(), *plugin_modules(code)]


def plugin_modules(code: GradingCode) -> list[Path]:
    """The package's pytest plugins (entry points `pytest11`, which pytest loads by name), as files."""
    modules = PackageModules(code.package_dir)
    found = (modules.file_of(module) for _, module in _installed().pytest_plugins)
    return [f for f in found if f is not None]


def check_modules(exercise: Exercise, package_dir: Path = PACKAGE_DIR) -> list[Path]:
    """The exercise's check files that exist in `package_dir` (the grader's own, or a copy of it), and
    the `conftest.py` files pytest would load beside them."""
    package = Path(package_dir).resolve()
    found = [package / p.relative_to(PACKAGE_DIR) for p in (exercise.public_checks, exercise.hidden_checks)]
    found = [p for p in found if p.is_file()]
    conftests = {folder / "conftest.py" for path in found for folder in path.parents if folder.is_relative_to(package)}
    return found + sorted(p for p in conftests if p.is_file())


DATASET_MODULE = "datasets"  # grader.datasets: the module that loads the data


def dataset_fixtures(modules: PackageModules, plugins: list[Path]) -> frozenset[str]:
    """Names of the fixtures of the course's pytest `plugins` whose body imports grader.datasets."""
    import ast

    target = f"{modules.name}.{DATASET_MODULE}"
    names = set()
    for path in plugins:
        for node in ast.walk(modules.tree(path)):
            if (isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(_is_fixture(d) for d in node.decorator_list)
                    and any(_imports(inner, target) for inner in ast.walk(node))):
                names.add(node.name)
    return frozenset(names)


def uses_dataset(exercise: Exercise, modules: PackageModules, checks: list[Path], fixtures: frozenset[str]) -> bool:
    """Whether the exercise's grade can depend on the data: it has accuracy thresholds, a function in
    its check modules takes (or names) a fixture that loads the data, or its check modules' own import
    closure reaches grader.datasets."""
    import ast

    if exercise.thresholds:
        return True
    data_module = modules.file_of(f"{modules.name}.{DATASET_MODULE}")
    if data_module is not None and data_module.resolve() in import_closure(modules, checks).files:
        return True
    for path in checks:
        for node in ast.walk(modules.tree(path)):
            if isinstance(node, ast.arg) and node.arg in fixtures:
                return True
            if isinstance(node, ast.Constant) and node.value in fixtures:  # request.getfixturevalue("dataset")
                return True
    return False


def dataset_identity(split_key: bytes | None, specs: dict) -> str:
    """A digest of the dataset batch grading uses (grader.datasets.chosen_dataset_name()): its name,
    manifest entry (`specs[name]`), description, seed and arrays, split with `split_key`. A dataset that
    cannot be loaded gets a digest of why (grading then stops with its own message)."""
    import numpy as np

    from grader.datasets import chosen_dataset_name, load_dataset

    try:
        name = chosen_dataset_name()
        dataset = load_dataset(name, split_key)
    except Exception as error:  # noqa: BLE001 - grading itself then stops with its own clear message
        return _digest_json({"unavailable": f"{type(error).__name__}: {error}"})
    digest = hashlib.sha256(json.dumps({"name": name, "spec": specs.get(name), "description": dataset.description,
                                        "seed": dataset.seed}, sort_keys=True, default=str).encode())
    for array in (dataset.x_train, dataset.y_train, dataset.x_test, dataset.y_test):
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(np.ascontiguousarray(array).data)
    return digest.hexdigest()


def package_versions(top_level_names: Iterable[str]) -> dict[str, str]:
    """Python's version and the installed versions of the distributions that provide `top_level_names`,
    of everything they require (transitively), and of every installed pytest plugin."""
    found = _installed()
    wanted = {dist for name in top_level_names for dist in found.providers.get(name, ())}
    wanted |= {dist for dist, _ in found.pytest_plugins}
    versions, todo = {}, sorted(wanted)
    while todo:
        dist = todo.pop()
        if dist in versions or dist not in found.versions:
            continue
        versions[dist] = found.versions[dist]
        todo.extend(r for r in found.requires.get(dist, ()) if r not in versions)
    return {"python": sys.version, "machine": platform.machine(), **dict(sorted(versions.items()))}


@dataclass(frozen=True)
class _Installed:
    versions: dict[str, str]  # normalised distribution name -> version
    providers: dict[str, list[str]]  # top-level module name -> distributions
    requires: dict[str, list[str]]  # distribution -> distributions it requires here
    pytest_plugins: list[tuple[str, str]]  # (distribution, module) of each `pytest11` entry point


@cache
def _installed() -> _Installed:
    import importlib.metadata as md

    versions: dict[str, str] = {}
    providers: dict[str, list[str]] = {}
    requires: dict[str, list[str]] = {}
    plugins: list[tuple[str, str]] = []
    for dist in md.distributions(path=_trusted_paths()):
        name = _normalise(dist.metadata["Name"] or "")
        if not name or name in versions:  # the first on the path is the one imported
            continue
        versions[name] = dist.version
        for top in _top_level(dist):
            providers.setdefault(top, []).append(name)
        requires[name] = [r for r in (_required(text) for text in dist.requires or []) if r]
        plugins += [(name, point.value.split(":")[0].strip()) for point in dist.entry_points if point.group == "pytest11"]
    return _Installed(versions, providers, requires, plugins)


def _trusted_paths() -> list[str]:
    """`sys.path` without the current folder (`python -m` puts it first), which anyone may fill."""
    here = os.path.realpath(os.getcwd())
    return [p for p in sys.path if p not in ("", ".") and os.path.realpath(p) != here]


def _top_level(dist) -> set[str]:
    text = dist.read_text("top_level.txt")
    if text:
        return {line.strip() for line in text.splitlines() if line.strip()}
    tops = set()
    record = dist.read_text("RECORD")  # read as text: dist.files builds an object per file (~30,000 here)
    firsts = ({line.split(",", 1)[0].strip('"').replace("\\", "/").split("/", 1)[0] for line in record.splitlines()}
              if record else {file.parts[0] for file in dist.files or () if file.parts})
    for first in firsts:
        if first.endswith(".py"):
            tops.add(first[:-3])
        elif first and not first.endswith((".dist-info", ".egg-info", ".data", ".pth")) and first != "..":
            tops.add(first)
    return tops


def _required(text: str) -> str | None:
    """The distribution a `Requires-Dist` line names, if it applies here (no extra, markers true)."""
    try:
        from packaging.requirements import InvalidRequirement, Requirement
    except ImportError:  # without packaging, count every requirement: more regrading, never less
        return _normalise(text.split(";")[0].split("[")[0].split("(")[0].strip().split(" ")[0].rstrip("<>=!~"))
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return None
    if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
        return None
    return _normalise(requirement.name)


def _normalise(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _environment_keys() -> list[str]:
    from grader.datasets import DATASET_ENV
    from grader.grade.sandbox import SAFE_ENV_KEYS

    return sorted(k for k in SAFE_ENV_KEYS if k not in ("PATH", DATASET_ENV))  # PATH finds programs; none is run


def _is_fixture(decorator) -> bool:
    import ast

    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return (isinstance(target, ast.Attribute) and target.attr == "fixture") or \
        (isinstance(target, ast.Name) and target.id == "fixture")


def _imports(node, module: str) -> bool:
    import ast

    if isinstance(node, ast.ImportFrom):
        return node.module == module or (node.module == module.rpartition(".")[0]
                                         and any(a.name == module.rpartition(".")[2] for a in node.names))
    return isinstance(node, ast.Import) and any(a.name == module for a in node.names)


def _digest_files(files: Iterable[Path], package_dir: Path) -> str:
    digest = hashlib.sha256()
    package = Path(package_dir).resolve()
    for path in sorted(Path(f).resolve() for f in files):
        name = str(path.relative_to(package)) if path.is_relative_to(package) else path.name
        content = path.read_bytes()
        digest.update(f"{name}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


def _digest_json(value: object) -> str:
    return _digest(json.dumps(value, sort_keys=True, default=str).encode())


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
