"""The nbgrader export, proven with real nbgrader: release, autograde, feedback and the CSV export.

One course is exported and taken through nbgrader's whole pipeline once (module fixture) for three
students: alice submits the reference solutions, bob the untouched release, carol a noisy but
correct exercise 1, exercise 4 with `use_bias=False` on the hidden Dense, and the exercise 5 stub
with the grader's `check` shadowed (so that a hidden-test cell fails with an ordinary traceback).
Autograde costs ~9 s per notebook (kernel start + TensorFlow import), so the pipeline grades
exercises 1, 4 and 5 only; a separate, quick test exports every exercise and validates it.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import pinned_split

from grader.checkfiles import check_names
from grader.export.nbgrader import BEGIN_HIDDEN, END_HIDDEN, export_course
from grader.solution_markers import make_stub, solution_blocks

pytestmark = pytest.mark.xdist_group("nbgrader")

BIN = Path(sys.executable).parent
ASSIGNMENT = "ps1"
GRADED = ["01", "04", "05"]
STUDENTS = ["alice", "bob", "carol"]
# carol's exercise 4: the reference model with the hidden Dense's biases switched off
NO_BIAS = ('keras.layers.Dense(128, activation="relu")', 'keras.layers.Dense(128, activation="relu", use_bias=False)')
NO_BIAS_FAILS = {"test_parameter_counts", "test_hidden_forward_pass_matches_reference"}
# carol's exercise 1: correct, but loud on stderr at every level a learner or TensorFlow could be
NOISE = '''import logging, os, sys, warnings
logging.getLogger("tensorflow").setLevel(logging.DEBUG)  # undo the grader's quieting of TensorFlow's logger
warnings.simplefilter("always")
print("noise from the answer cell", file=sys.stderr)
'''
# carol's exercise 5: the stub, and a name that breaks every check cell with a plain TypeError
SHADOWS_CHECK = "\n\ncheck = None\n"
NOISY_FLAT_LENGTH = '''    print("debug output on stderr", file=sys.stderr)
    logging.getLogger("tensorflow").warning("a TensorFlow log line")
    os.write(2, b"a C++ library writing to file descriptor 2\\n")
    warnings.warn("a warning raised while the check runs")
    return math.prod(input_shape)'''


def nbgrader(course_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the real nbgrader CLI in the course folder; kernels inherit the pinned offline dataset."""
    env = {**os.environ, "COURSE_DATASET": "mnist5k", "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run([str(BIN / "nbgrader"), *args], cwd=course_dir, capture_output=True, text=True,
                            env=env, timeout=600)
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{result.stdout}\n{result.stderr[-3000:]}"
    return result


def _answer_cell(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    return next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("solution"))


def _submit(course_dir: Path, student: str, name: str, answer: str | None) -> None:
    """What a student does: open the released notebook, write the answer cell, hand it in."""
    notebook = nbformat.read(course_dir / "release" / ASSIGNMENT / name, as_version=4)
    if answer is not None:
        _answer_cell(notebook).source = answer
    target = course_dir / "submitted" / student / ASSIGNMENT / name
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory, root, course) -> Path:
    """export → generate_assignment → three submissions → autograde → generate_feedback → export."""
    course_dir = tmp_path_factory.mktemp("nbgrader-course")
    exported = subprocess.run(
        [sys.executable, "-m", "grader.cli", "nbgrader", "export", str(course_dir), "--assignment", ASSIGNMENT,
         "--exercises", ",".join(GRADED)], cwd=root, capture_output=True, text=True, timeout=120)
    assert exported.returncode == 0, exported.stdout + exported.stderr
    nbgrader(course_dir, "generate_assignment", ASSIGNMENT, "--force")

    solutions = {e: (root / "solutions" / course.find(e).filename).read_text() for e in GRADED}
    names = {e: course.find(e).filename.replace(".py", ".ipynb") for e in GRADED}
    for e in GRADED:
        _submit(course_dir, "alice", names[e], solutions[e])
        _submit(course_dir, "bob", names[e], None)
    noisy = NOISE + solutions["01"].replace("    return math.prod(input_shape)", NOISY_FLAT_LENGTH)
    assert noisy.count("os.write(2") == 1
    assert NO_BIAS[0] in solutions["04"]
    _submit(course_dir, "carol", names["01"], noisy)
    _submit(course_dir, "carol", names["04"], solutions["04"].replace(*NO_BIAS))
    stub_05 = nbformat.read(course_dir / "release" / ASSIGNMENT / names["05"], 4)
    _submit(course_dir, "carol", names["05"], _answer_cell(stub_05).source + SHADOWS_CHECK)

    nbgrader(course_dir, "autograde", ASSIGNMENT, "--force")
    nbgrader(course_dir, "generate_feedback", ASSIGNMENT, "--force")
    nbgrader(course_dir, "export")
    return course_dir


def _scores(course_dir: Path) -> dict[str, dict[str, dict[str, float]]]:
    """{student: {notebook: {grade_id: score}}} from nbgrader's gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gradebook:
        return {student: {nb.name: {g.name: g.score for g in nb.grades}
                          for nb in gradebook.find_submission(ASSIGNMENT, student).notebooks}
                for student in STUDENTS}


def _errors(course_dir: Path, student: str) -> str:
    """Every error output of a student's autograded notebooks: what to read when a score is off."""
    lines = []
    for path in sorted((course_dir / "autograded" / student / ASSIGNMENT).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            for output in cell.get("outputs", []):
                if output.output_type == "error" or output.get("name") == "stderr":
                    lines.append(f"{path.name} [{cell.get('id')}]: {output.get('ename')}: {output.get('evalue')} "
                                 f"{output.get('text', '')}"[:2000])
    return "\n".join(lines)


def _grade_id(exercise, check_name: str) -> str:
    hidden = check_names(exercise.hidden_checks)
    if check_name not in hidden:
        return check_name
    in_order = [name for name in exercise.points if name in hidden]
    return f"hidden_check_{in_order.index(check_name) + 1}"


def test_generate_assignment_releases_the_stubs_without_solutions_or_hidden_tests(pipeline, root, course):
    for key in GRADED:
        exercise = course.find(key)
        solution = (root / "solutions" / exercise.filename).read_text()
        released = nbformat.read(pipeline / "release" / ASSIGNMENT / exercise.filename.replace(".py", ".ipynb"), 4)
        text = "\n".join(cell.source for cell in released.cells)
        assert _answer_cell(released).source + "\n" == make_stub(solution) == (root / "exercises" / exercise.filename).read_text()
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
        for block in solution_blocks(solution):
            for line in filter(str.strip, block.text.splitlines()):
                assert line not in text, f"solution line {line!r} leaked into the release"
        for name in check_names(exercise.hidden_checks):
            assert name not in text, f"hidden check {name} leaked into the release"


def test_autograde_gives_full_points_zero_and_the_exact_partial_score(pipeline, course):
    scores = _scores(pipeline)
    exercises = {course.find(e).filename.replace(".py", ""): course.find(e) for e in GRADED}
    full = sum(e.max_points for e in exercises.values())
    assert sum(sum(nb.values()) for nb in scores["alice"].values()) == full, _errors(pipeline, "alice")
    assert sum(sum(nb.values()) for nb in scores["bob"].values()) == 0

    sequential = course.find("04")
    expected_04 = {_grade_id(sequential, name): (0.0 if name in NO_BIAS_FAILS else points)
                   for name, points in sequential.points.items()}
    assert scores["carol"]["04_sequential"] == expected_04
    expected_total = course.find("01").max_points + sequential.max_points - sum(
        sequential.points[name] for name in NO_BIAS_FAILS)
    assert sum(sum(nb.values()) for nb in scores["carol"].values()) == expected_total, _errors(pipeline, "carol")

    with open(pipeline / "grades.csv", newline="") as handle:  # `nbgrader export`
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert set(rows) == set(STUDENTS)
    assert [float(rows[s]["score"]) for s in STUDENTS] == [full, 0.0, expected_total]
    assert {float(rows[s]["max_score"]) for s in STUDENTS} == {full}


def test_stderr_noise_costs_no_points(pipeline, course):
    """TensorFlow logging, stderr prints and warnings during a check leave the graded cells clean."""
    autograded = nbformat.read(pipeline / "autograded" / "carol" / ASSIGNMENT / "01_flatten.ipynb", 4)
    answer = _answer_cell(autograded)
    assert any(o.get("name") == "stderr" for o in answer.outputs), "the noise never happened"
    graded = [c for c in autograded.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert len(graded) == len(course.find("01").points)
    for cell in graded:
        kinds = [(o.output_type, o.get("name")) for o in cell.outputs]
        assert ("stream", "stderr") not in kinds and not any(k == "error" for k, _ in kinds), (cell.source, kinds)
    assert sum(_scores(pipeline)["carol"]["01_flatten"].values()) == course.find("01").max_points


def test_a_failing_check_shows_the_same_message_as_the_pytest_grader(pipeline, course, tmp_path):
    from grader.runner import run_checks

    autograded = nbformat.read(pipeline / "autograded" / "carol" / ASSIGNMENT / "04_sequential.ipynb", 4)
    cell = next(c for c in autograded.cells if c.metadata["nbgrader"].get("grade_id") == "test_parameter_counts")
    (error,) = [o for o in cell.outputs if o.output_type == "error"]
    answer = tmp_path / "04_sequential.py"
    answer.write_text(_answer_cell(autograded).source)
    result = run_checks(course.find("04"), answer)
    (expected,) = [c.message for c in result.checks if c.name == "test_parameter_counts"]
    assert error.evalue == expected
    assert "use_bias=False" in error.evalue
    assert "Traceback" not in "\n".join(error.traceback)


def test_course_check_on_the_submitted_notebooks_agrees_with_nbgrader(pipeline, course):
    """The grader reads nbgrader's submitted/ notebooks directly, and scores them as nbgrader did."""
    from grader.runner import run_checks

    scores = _scores(pipeline)
    for student in STUDENTS:
        for key in GRADED:
            exercise = course.find(key)
            name = exercise.filename.replace(".py", "")
            result = run_checks(exercise, pipeline / "submitted" / student / ASSIGNMENT / f"{name}.ipynb",
                                include_hidden=True)
            assert result.error is None
            assert result.points == sum(scores[student][name].values()), (student, name)


def test_feedback_keeps_hidden_tests_private(pipeline, course):
    hidden_names = {name for e in GRADED for name in check_names(course.find(e).hidden_checks)}
    # nbgrader itself restores the hidden tests into the autograded notebooks ...
    restored = (pipeline / "autograded" / "carol" / ASSIGNMENT / "04_sequential.ipynb").read_text()
    assert BEGIN_HIDDEN in restored and "test_hidden_forward_pass_matches_reference" in restored
    # ... and the course's configuration clears them again from the feedback
    for student in STUDENTS:
        for e in GRADED:
            page = pipeline / "feedback" / student / ASSIGNMENT / course.find(e).filename.replace(".py", ".html")
            html = page.read_text()
            assert "BEGIN HIDDEN TESTS" not in html and END_HIDDEN not in html
            leaked = [name for name in hidden_names if name in html]
            assert not leaked, f"{page} shows hidden checks {leaked}"
    carol = (pipeline / "feedback" / "carol" / ASSIGNMENT / "04_sequential.html").read_text()
    assert "a hidden check failed" in carol and "Score: 0.0 / 2.0" in carol
    # an ordinary error in a hidden-test cell: IPython's traceback quoted the hidden line; feedback does not
    shadowed = nbformat.read(pipeline / "autograded" / "carol" / ASSIGNMENT / "05_training.ipynb", 4)
    assert any("test_hidden_learning_rate_is_sane" in "".join(o.get("traceback", []))
               for c in shadowed.cells for o in c.get("outputs", []))
    page = (pipeline / "feedback" / "carol" / ASSIGNMENT / "05_training.html").read_text()
    assert "TypeError" in page and "test_hidden_learning_rate_is_sane" not in page


def test_full_export_writes_valid_nbgrader_notebooks_with_the_manifest_points(tmp_path, root, course):
    from nbgrader.nbgraderformat import MetadataValidator

    written = export_course(tmp_path, solutions_dir=root / "solutions", docs_dir=root / "docs")
    assert len(written) == 1 + len(course.exercises)
    config = (tmp_path / "nbgrader_config.py").read_text()
    compile(config, "nbgrader_config.py", "exec")
    timeout = int(re.search(r"c\.Execute\.timeout = (\d+)", config)[1])
    assert timeout >= 2 * max(e.time_budget_s for e in course.exercises)
    for exercise in course.exercises:
        path = tmp_path / "source" / "keras-course" / exercise.filename.replace(".py", ".ipynb")
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        MetadataValidator().validate_nb(notebook)  # nbgrader's own schema check (version 3)
        assert all(cell.get("id") for cell in notebook.cells)
        meta = [cell.metadata["nbgrader"] for cell in notebook.cells]
        assert {m["schema_version"] for m in meta} == {3}
        assert _answer_cell(notebook).source + "\n" == (root / "solutions" / exercise.filename).read_text()
        graded = [(cell, cell.metadata["nbgrader"]) for cell in notebook.cells if cell.metadata["nbgrader"]["grade"]]
        assert all(m["locked"] and not m["solution"] for _, m in graded)
        assert {m["grade_id"]: m["points"] for _, m in graded} == {
            _grade_id(exercise, name): points for name, points in exercise.points.items()}
        for name in exercise.points:
            (cell,) = [c for c, m in graded if m["grade_id"] == _grade_id(exercise, name)]
            assert f'check("{exercise.id}", "{name}", globals())' in cell.source
            hidden = name in check_names(exercise.hidden_checks)
            assert (BEGIN_HIDDEN in cell.source and END_HIDDEN in cell.source) == hidden
        assert notebook.cells[0].source.startswith(f"# Exercise {exercise.number} — {exercise.title}")
        assert exercise.lesson in notebook.cells[0].source


def test_export_is_reproducible_and_rejects_unknown_exercises(tmp_path, root, course):
    first, second = tmp_path / "a", tmp_path / "b"
    for target in (first, second):
        export_course(target, solutions_dir=root / "solutions", docs_dir=root / "docs", assignment="x",
                      exercises=[course.find(e) for e in GRADED])
    for path in sorted((first / "source" / "x").glob("*.ipynb")):
        assert path.read_bytes() == (second / "source" / "x" / path.name).read_bytes()
    result = subprocess.run([sys.executable, "-m", "grader.cli", "nbgrader", "export", str(tmp_path / "c"),
                             "--exercises", "42"], cwd=root, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "no exercise called '42'" in result.stderr
    assert "Traceback" not in result.stderr


def test_course_grade_takes_the_submitted_tree_and_agrees_with_nbgrader(pipeline, course, tmp_path):
    """`course grade` reads nbgrader's submitted/<student>/<assignment>/ notebooks as they are."""
    out = tmp_path / "gradebook"
    env = {**os.environ, "COURSE_DATASET": "mnist5k"}
    result = subprocess.run([sys.executable, "-m", "grader.cli", "grade", str(pipeline), "--out", str(pinned_split(out)),
                             "--json", *sum((["-e", e] for e in GRADED), [])], capture_output=True, text=True,
                            env=env, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    with open(out / "grades.csv", newline="") as ours, open(pipeline / "grades.csv", newline="") as theirs:
        ours_total = {row["student"]: float(row["total"]) for row in csv.DictReader(ours)}
        nbgrader_total = {row["student_id"]: float(row["score"]) for row in csv.DictReader(theirs)}
    assert ours_total == nbgrader_total
