"""The per-exercise grade fingerprint (grader.grade.fingerprint) and what a run keeps of a stored record
(grader.grade.resume), without grading: closures read from source, fingerprints of copies of the
grader, plans for stored records good and bad. `course grade` runs that resume by these fingerprints
are in tests/test_batch.py (`test_a_change_regrades_exactly_the_exercises_it_decides`)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from grader.grade.closure import PackageModules, import_closure
from grader.grade.fingerprint import (
    UNUSED,
    ExerciseFingerprint,
    GradingCode,
    check_modules,
    exercise_fingerprints,
    grading_roots,
)
from grader.manifest import PACKAGE_DIR, load_course

GRADE_MODULE = PACKAGE_DIR / "grade" / "grade.py"


def _package(root: Path, files: dict[str, str]) -> Path:
    package = root / "grader"
    for name, text in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return package


def _relative(files, package: Path) -> set[str]:
    return {str(Path(f).relative_to(package.resolve())) for f in files}


def test_a_module_imported_by_one_exercises_checks_is_in_its_closure_only(tmp_path):
    package = _package(tmp_path, {
        "__init__.py": "",
        "grade.py": "import numpy\n\ndef run():\n    from grader import common\n",
        "common.py": "from . import leaf\n",
        "leaf.py": "",
        "helper4.py": "import keras\n",
        "checks_public/__init__.py": "",
        "checks_public/test_01_a.py": "from grader.common import something\n",
        "checks_public/test_04_b.py": "def test_x():\n    from grader.helper4 import thing\n",
    })
    modules = PackageModules(package)
    roots = [package / "grade.py"]
    first = import_closure(modules, [*roots, package / "checks_public" / "test_01_a.py"])
    fourth = import_closure(modules, [*roots, package / "checks_public" / "test_04_b.py"])
    assert "helper4.py" in _relative(fourth.files, package)
    assert "helper4.py" not in _relative(first.files, package)
    # lazy imports, relative imports and the packages an import runs are all followed
    assert {"__init__.py", "grade.py", "common.py", "leaf.py", "checks_public/__init__.py"} <= _relative(first.files, package)
    assert "keras" in fourth.external and "keras" not in first.external and "numpy" in first.external


def test_a_module_named_in_a_string_is_in_the_closure(tmp_path):
    """The forkserver's preload is named, not imported: `set_forkserver_preload(["grader.preload"])`."""
    package = _package(tmp_path, {"__init__.py": "", "pool.py": 'PRELOAD = ["grader.preload"]\n',
                                  "preload.py": "import grader.warm\n", "warm.py": ""})
    closure = import_closure(PackageModules(package), [package / "pool.py"])
    assert {"preload.py", "warm.py"} <= _relative(closure.files, package)


def test_the_real_closures_hold_the_grading_code_and_each_exercises_own_checks(course):
    modules = PackageModules(PACKAGE_DIR)
    roots = grading_roots(GradingCode(GRADE_MODULE))
    closures = {e: _relative(import_closure(modules, [*roots, *check_modules(course.find(e))]).files, PACKAGE_DIR)
                for e in ("01", "04", "05")}
    for files in closures.values():  # the code that adds, reads and hides points is in every fingerprint
        assert {"grade/grade.py", "manifest.py", "checkfiles.py", "pytest_plugin.py", "grade/worker.py",
                "grade/preload.py", "runner.py", "datasets.py"} <= files
    assert "checks/layerlist.py" in closures["04"] and "checks/layerlist.py" not in closures["01"]
    assert "checks/losses.py" in closures["05"] and "checks/losses.py" not in closures["01"] | closures["04"]
    assert "checks_hidden/test_04_sequential.py" in closures["04"]
    assert not any(name.startswith("checks_public/test_01") for name in closures["04"])


def test_a_name_taken_from_the_checks_package_brings_its_module_into_the_closure(course):
    """`from grader.checks import expect_close` runs grader/checks/expect.py, which the package imports on
    first use (grader/checks/__init__.py): every exercise whose checks take a name from the package has that
    name's module in its fingerprint (a change to a tolerance in expect.py regrades them)."""
    import ast

    import grader.checks

    modules = PackageModules(PACKAGE_DIR)
    roots = grading_roots(GradingCode(GRADE_MODULE))
    for exercise in course.exercises:
        checks = check_modules(exercise)
        needed = {grader.checks._HOME_OF[alias.name] for path in checks for node in ast.walk(ast.parse(path.read_text()))
                  if isinstance(node, ast.ImportFrom) and node.module == "grader.checks"
                  for alias in node.names if alias.name in grader.checks._HOME_OF}
        files = _relative(import_closure(modules, [*roots, *checks]).files, PACKAGE_DIR)
        assert needed, exercise.id
        assert {m.removeprefix("grader.").replace(".", "/") + ".py" for m in needed} <= files, exercise.id


@pytest.fixture
def copy(tmp_path) -> Path:
    """A copy of the grader package (module names resolve inside it) and of the solutions."""
    shutil.copytree(PACKAGE_DIR, tmp_path / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(PACKAGE_DIR.parent / "solutions", tmp_path / "solutions")
    return tmp_path


def _prints(copy: Path, ids=("01", "04", "05")) -> dict[str, ExerciseFingerprint]:
    package = copy / "grader"
    code = GradingCode(package / "grade" / "grade.py", package, package / "course.toml")
    course = load_course()
    return exercise_fingerprints(code, [course.find(e) for e in ids], copy / "solutions", None, with_dataset=False)


def _changed(before: dict[str, ExerciseFingerprint], after: dict[str, ExerciseFingerprint]) -> dict[str, list[str]]:
    return {e: after[e].changed_parts(before[e].parts) for e in before if after[e].changed_parts(before[e].parts)}


def test_a_comment_in_a_module_some_checks_import_changes_only_their_fingerprints(copy):
    before = _prints(copy)
    layerlist = copy / "grader" / "checks" / "layerlist.py"
    layerlist.write_text(layerlist.read_text() + "# a comment\n")
    assert _changed(before, _prints(copy)) == {"04": ["code"]}


def test_a_comment_in_the_grading_code_changes_every_fingerprint(copy):
    before = _prints(copy)
    for name in ("checkfiles.py", "manifest.py", "grade/grade.py"):
        path = copy / "grader" / name
        path.write_text(path.read_text() + "# a comment\n")
        assert _changed(before, _prints(copy)) == {"01": ["code"], "04": ["code"], "05": ["code"]}, name
        before = _prints(copy)


def test_a_point_value_changes_its_exercises_fingerprint_and_the_seed_every_one(copy):
    before = _prints(copy)
    manifest = copy / "grader" / "course.toml"
    text = manifest.read_text()
    manifest.write_text(text.replace("test_output_shape_for_each_input_shape = 2", "test_output_shape_for_each_input_shape = 3"))
    assert _changed(before, _prints(copy)) == {"01": ["manifest"]}
    manifest.write_text(text.replace("seed = 1234", "seed = 1235"))
    assert _changed(before, _prints(copy)) == {"01": ["manifest"], "04": ["manifest"], "05": ["manifest"]}


def test_a_solution_changes_only_its_exercises_fingerprint(copy):
    before = _prints(copy)
    solution = copy / "solutions" / "04_sequential.py"
    solution.write_text(solution.read_text() + "\n")
    assert _changed(before, _prints(copy)) == {"04": ["solution"]}
    solution.unlink()
    assert _prints(copy)["04"].parts["solution"] == "absent"


def test_only_exercises_that_use_the_data_carry_the_dataset(copy):
    prints = _prints(copy, ("01", "04", "05", "11", "12"))
    assert {e: p.parts["dataset"] != UNUSED for e, p in prints.items()} == \
        {"01": False, "04": False, "05": True, "11": True, "12": False}


def test_a_check_that_asks_for_the_data_fixture_uses_the_data_without_thresholds(course):
    """Thresholds are not the only sign: exercise 5's accuracy check takes the plugin's `dataset` fixture."""
    import dataclasses

    from grader.grade.fingerprint import dataset_fixtures, plugin_modules, uses_dataset

    modules = PackageModules(PACKAGE_DIR)
    fixtures = dataset_fixtures(modules, plugin_modules(GradingCode(GRADE_MODULE)))
    assert fixtures == {"dataset"}
    uses = {e: uses_dataset(dataclasses.replace(course.find(e), thresholds={}), modules, check_modules(course.find(e)),
                            fixtures) for e in ("01", "05", "11", "12")}
    assert uses == {"01": False, "05": True, "11": True, "12": False}


def test_the_dataset_identity_follows_the_dataset_and_its_split(monkeypatch):
    from grader.grade.fingerprint import dataset_identity

    specs = load_course().datasets
    monkeypatch.setenv("COURSE_DATASET", "digits")
    digits = dataset_identity(b"k" * 32, specs)
    assert digits == dataset_identity(b"k" * 32, specs)
    assert digits != dataset_identity(b"j" * 32, specs)  # another gradebook's split
    assert digits != dataset_identity(b"k" * 32, {**specs, "digits": {**specs["digits"], "test_size": 300}})
    monkeypatch.setenv("COURSE_DATASET", "nonsense")
    assert dataset_identity(b"k" * 32, specs) != digits  # unavailable: a digest of why, never a crash


def test_the_package_versions_that_decide_numbers_are_in_the_fingerprint():
    from grader.grade.fingerprint import package_versions

    versions = package_versions({"keras", "numpy", "tensorflow"})
    assert {"keras", "numpy", "pytest"} <= set(versions)  # pytest: every installed pytest plugin counts
    assert "tensorflow-cpu" in versions or "tensorflow" in versions
    assert versions["numpy"] == __import__("numpy").__version__ and versions["python"]


def test_nothing_in_the_current_folder_feeds_a_fingerprint(copy, tmp_path, monkeypatch):
    """A class's folder (the current folder, first on `python -m`'s path) holding a `grader` package and a
    fake numpy's metadata changes nothing: modules resolve in the grader's folder, versions on the
    interpreter's own paths."""
    from grader.grade.fingerprint import _installed

    before = _prints(copy)
    planted = tmp_path / "class"
    shutil.copytree(copy / "grader", planted / "grader")
    (planted / "grader" / "checks" / "layerlist.py").write_text("FORGED = True\n")
    info = planted / "numpy-99.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: numpy\nVersion: 99.0\n")
    (info / "top_level.txt").write_text("numpy\n")
    monkeypatch.chdir(planted)
    monkeypatch.syspath_prepend(str(planted))
    _installed.cache_clear()
    try:
        assert _changed(before, _prints(copy)) == {}
    finally:
        _installed.cache_clear()


# ---- what a run keeps of a stored record (grader.grade.resume) ----

def _student(name="alice"):
    from grader.grade.intake import StudentSubmission

    return StudentSubmission(name, Path(name), {}, [])


def _stored(prints: dict[str, ExerciseFingerprint], ids=("01", "04"), **extra) -> dict:
    exercises = {e: {"points": 5.0, "max_points": 7.0, "graded_at": "then"} for e in ids}
    return {"student": "alice", "submission": "s1", "exercises": exercises, "exercise_ids": list(ids),
            "fingerprints": {e: prints[e].parts for e in ids}, "total": 5.0 * len(ids), **extra}


def _fake_prints(**changed: str) -> dict[str, ExerciseFingerprint]:
    parts = {"code": "c", "manifest": "m", "solution": "s", "packages": "p", "environment": "e", "dataset": UNUSED}
    return {e: ExerciseFingerprint(e, {**parts, **({"code": changed[e]} if e in changed else {})})
            for e in ("01", "04", "05")}


def test_a_record_whose_fingerprints_match_stands_untouched(course):
    from grader.grade.resume import plan_student

    prints = _fake_prints()
    plan = plan_student(_student(), _stored(prints), [course.find("01"), course.find("04")], prints, "s1", False)
    assert plan.unchanged and not plan.regrade


def test_only_the_exercise_whose_fingerprint_changed_is_graded_again(course):
    from grader.grade.resume import merged_record, plan_student

    prints = _fake_prints()
    stored = _stored(prints)
    now = _fake_prints(**{"04": "other"})
    plan = plan_student(_student(), stored, [course.find("01"), course.find("04")], now, "s1", False)
    assert [e.id for e in plan.regrade] == ["04"] and plan.reasons == {"04": "changed: code"}
    graded = {"student": "alice", "exercises": {"04": {"points": 7.0, "max_points": 7.0}}, "status": "graded"}
    record = merged_record(plan, graded, now, "s1")
    assert record["exercises"]["01"] == stored["exercises"]["01"]  # kept as it was
    assert record["exercises"]["04"]["points"] == 7.0 and record["exercises"]["04"]["graded_at"] != "then"
    assert record["total"] == 12.0 and record["fingerprints"]["04"] == now["04"].parts


def test_an_exercise_the_grader_failed_on_is_graded_again_and_the_others_stand(course):
    """A "grader error" (its sandbox refused, its verifier failed: the submission was not judged) says
    "regrade": the next run grades that exercise again though nothing changed, and keeps the others."""
    from grader.grade.resume import GRADER_FAILED, plan_student

    prints = _fake_prints()
    stored = _stored(prints)
    stored["exercises"]["04"]["status"] = "grader error"
    plan = plan_student(_student(), stored, [course.find("01"), course.find("04")], prints, "s1", False)
    assert [e.id for e in plan.regrade] == ["04"] and plan.reasons == {"04": GRADER_FAILED} and plan.trusted


@pytest.mark.parametrize("fingerprints", [None, "garbage", {"01": "x", "04": 5}, {"01": {"code": 1}}, []])
def test_a_corrupted_or_absent_fingerprint_store_regrades_and_never_crashes(course, fingerprints):
    from grader.grade.resume import plan_student

    prints = _fake_prints()
    stored = _stored(prints, fingerprints=fingerprints)
    plan = plan_student(_student(), stored, [course.find("01"), course.find("04")], prints, "s1", False)
    assert [e.id for e in plan.regrade] == ["01", "04"] and plan.trusted


@pytest.mark.parametrize("stored", [None, {"exercises": "garbage"}, {"exercises": {}, "retry": True, "submission": "s1"}])
def test_a_record_that_cannot_be_trusted_keeps_nothing(course, stored):
    from grader.grade.resume import plan_student

    plan = plan_student(_student(), stored, [course.find("01")], _fake_prints(), "s1", False)
    assert [e.id for e in plan.regrade] == ["01"] and not plan.trusted


def test_an_exercise_added_to_the_course_is_graded_and_one_removed_leaves_the_record(course):
    from grader.grade.changes import grade_changes
    from grader.grade.resume import merged_record, plan_student

    prints = _fake_prints()
    stored = _stored(prints, ids=("01", "04"))
    plan = plan_student(_student(), stored, [course.find("01"), course.find("05")], prints, "s1", False)
    assert [e.id for e in plan.regrade] == ["05"] and plan.reasons["05"] == "not graded before"
    graded = {"student": "alice", "exercises": {"05": {"points": 9.0, "max_points": 9.0}}, "status": "graded"}
    record = merged_record(plan, graded, prints, "s1")
    assert list(record["exercises"]) == ["01", "05"] and record["total"] == 14.0
    changes = {c.exercise: (c.before, c.after, c.change) for c in grade_changes(stored, record, plan.reasons)}
    assert changes == {"05": (None, 9.0, 9.0), "04": (5.0, None, -5.0)}
    dropped = plan_student(_student(), stored, [course.find("01")], prints, "s1", False)
    assert not dropped.regrade and not dropped.unchanged  # nothing to grade, but the record is written again
    assert list(merged_record(dropped, None, prints, "s1")["exercises"]) == ["01"]


def test_a_record_of_an_exercise_removed_from_the_manifest_still_makes_a_gradebook(course, tmp_path):
    """A student not graded since an exercise left course.toml keeps it in their record: the gradebook
    names its column by the exercise's id instead of failing."""
    from grader.grade.grade import write_class_gradebook
    from grader.grade.signing import signed

    check = {"name": "test_x", "outcome": "passed", "points": 2.0, "max_points": 2.0, "hidden": False,
             "message": "", "notes": []}
    result = {"slug": "gone", "title": "Gone", "status": "graded", "reason": None, "points": 2.0, "max_points": 2.0,
              "checks": [check]}
    record = {"student": "alice", "source": "alice", "problems": [], "exercises": {"13": result}, "total": 2.0,
              "max_total": 2.0, "status": "graded"}
    (tmp_path / "students").mkdir()
    (tmp_path / "students" / "alice.json").write_text(json.dumps(signed(record)))
    write_class_gradebook(tmp_path, course)
    assert (tmp_path / "grades.csv").read_text().splitlines() == ["student,13,total,max_total,status",
                                                                  "alice,2,2,2,graded"]


def test_only_changed_and_force_are_refused_together(tmp_path):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "grader.cli", "grade", str(tmp_path), "--out", str(tmp_path / "out"),
                           "--only-changed", "--force"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "exclude each other" in done.stderr
    assert not (tmp_path / "out").exists()
