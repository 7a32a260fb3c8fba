"""Notebooks for learners: `course notebooks`, `course check` on a notebook, and grader.notebook.check."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.export.notebooks import is_hint_cell
from grader.solution_markers import solution_blocks

COURSE = [sys.executable, "-m", "grader.cli"]
JUPYTEXT = Path(sys.executable).parent / "jupytext"
STUB_BODY = "    # YOUR CODE HERE\n    raise NotImplementedError"


@pytest.fixture(scope="module")
def made_once(root, tmp_path_factory) -> Path:
    """A learner's checkout with untouched stubs, and the notebooks `course notebooks` writes from them."""
    made_in = tmp_path_factory.mktemp("notebooks") / "checkout"
    shutil.copytree(root / "exercises", made_in / "exercises")
    shutil.copytree(root / "solutions", made_in / "solutions")
    made = course(made_in, "notebooks")
    assert made.returncode == 0, made.stdout + made.stderr
    return made_in


@pytest.fixture
def workspace(made_once, tmp_path) -> Path:
    """A copy of that checkout of the test's own (file times kept: jupytext syncs a pair by which is newer)."""
    copy = tmp_path / "checkout"
    shutil.copytree(made_once, copy, copy_function=shutil.copy2)
    return copy


def course(workspace: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COURSE_DATASET": "mnist5k", "COLUMNS": "120", "NO_COLOR": "1"}
    return subprocess.run([*COURSE, *args], cwd=workspace, capture_output=True, text=True, env=env, timeout=240)


def _solution_body(root: Path, filename: str) -> str:
    (block,) = solution_blocks((root / "solutions" / filename).read_text())
    return block.text


def _touch_later(path: Path, than: Path) -> None:
    """Make `path` count as the newer file of a pair, whatever the file system's timestamp resolution."""
    later = than.stat().st_mtime + 5
    os.utime(path, (later, later))


def test_course_notebooks_pairs_every_exercise_with_its_py_file(workspace, root, course):
    import jupytext

    for exercise in course.exercises:
        script = workspace / "exercises" / exercise.filename
        notebook = nbformat.read(workspace / "notebooks" / exercise.filename.replace(".py", ".ipynb"), as_version=4)
        nbformat.validate(notebook)
        assert notebook.metadata["jupytext"]["formats"] == "ipynb,../exercises//py:light"
        notebook.cells = [cell for cell in notebook.cells if not is_hint_cell(cell)]
        assert jupytext.writes(notebook, fmt="py:light") == script.read_text()  # the notebook is the stub
        assert script.read_text() == (root / "exercises" / exercise.filename).read_text()  # and the stub is intact


def test_each_notebook_ends_with_its_graduated_hints_collapsed_one_cell_per_level(workspace, course):
    for exercise in course.exercises:
        notebook = nbformat.read(workspace / "notebooks" / exercise.filename.replace(".py", ".ipynb"), as_version=4)
        hints = notebook.cells[-len(exercise.hints):]
        assert [c.cell_type for c in hints] == ["markdown"] * len(exercise.hints) == ["markdown"] * 3, exercise.id
        for number, (cell, level) in enumerate(zip(hints, exercise.hints, strict=True), start=1):
            assert cell.source.startswith(f"<details><summary>Hint {number} — {level.label}</summary>")
            assert cell.source.rstrip().endswith("</details>")
            assert level.text.strip().splitlines()[0] in cell.source
        assert sum(is_hint_cell(c) for c in notebook.cells) == len(exercise.hints)


def test_hints_come_back_after_a_sync_from_the_py_side_and_are_never_doubled(workspace):
    script = workspace / "exercises" / "04_sequential.py"
    notebook_path = workspace / "notebooks" / "04_sequential.ipynb"
    script.write_text(script.read_text() + "\n# a note of the learner's\n")
    _touch_later(script, than=notebook_path)
    assert course(workspace, "notebooks").returncode == 0
    assert course(workspace, "notebooks").returncode == 0  # and once more: nothing is added twice
    notebook = nbformat.read(notebook_path, as_version=4)
    assert sum(is_hint_cell(c) for c in notebook.cells) == 3
    assert any("a note of the learner's" in c.source for c in notebook.cells)
    assert course(workspace, "check", "4", "--path", str(notebook_path)).returncode == 1  # still the stub: graded


def test_course_check_on_a_notebook_fails_on_the_stub_and_passes_once_solved(workspace, root):
    path = workspace / "notebooks" / "04_sequential.ipynb"
    first = course(workspace, "check", "4", "--path", str(path))
    assert first.returncode == 1
    assert "not implemented yet" in first.stdout and "04_sequential.ipynb" in first.stdout
    assert "Traceback" not in first.stdout + first.stderr

    notebook = nbformat.read(path, as_version=4)
    (cell,) = [c for c in notebook.cells if STUB_BODY in c.source]
    cell.source = cell.source.replace(STUB_BODY, _solution_body(root, "04_sequential.py"))
    notebook.cells += [new_code_cell("%matplotlib inline\n!ls"),
                       new_code_cell('from grader.notebook import check\ncheck("04", "test_layer_types", globals())')]
    nbformat.write(notebook, path)
    second = course(workspace, "check", "--path", str(path))  # the exercise is found from the file name
    assert second.returncode == 0, second.stdout
    assert "10/10 points" in second.stdout


def test_editing_either_file_and_syncing_keeps_both_in_step(workspace, root):
    script = workspace / "exercises" / "04_sequential.py"
    notebook_path = workspace / "notebooks" / "04_sequential.ipynb"
    script.write_text(script.read_text().replace(STUB_BODY, _solution_body(root, "04_sequential.py")))
    _touch_later(script, than=notebook_path)
    synced = subprocess.run([str(JUPYTEXT), "--sync", str(notebook_path)], capture_output=True, text=True, timeout=60)
    assert synced.returncode == 0, synced.stderr
    assert "keras.layers.Dense(128" in notebook_path.read_text()

    notebook = nbformat.read(notebook_path, as_version=4)
    (cell,) = [c for c in notebook.cells if "def build_model" in c.source]
    cell.source = cell.source.replace("keras.layers.Dense(10)", "keras.layers.Dense(10),  # logits, edited in Jupyter")
    nbformat.write(notebook, notebook_path)
    _touch_later(notebook_path, than=script)
    again = course(workspace, "notebooks")  # running it again syncs, it never overwrites
    assert again.returncode == 0, again.stderr
    text = script.read_text()
    assert "# logits, edited in Jupyter" in text
    assert not text.startswith("# ---")  # no jupytext header: the .py stays a plain exercise file
    assert course(workspace, "check", "4").returncode == 0


def test_a_broken_notebook_is_a_clear_failure(workspace):
    path = workspace / "notebooks" / "04_sequential.ipynb"
    path.write_text('{"cells": [')
    result = course(workspace, "check", "4", "--path", str(path))
    assert result.returncode == 1
    assert "04_sequential.ipynb is not a valid Jupyter notebook" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    rebuilt = course(workspace, "notebooks")  # the other notebooks still sync; this one is reported
    assert rebuilt.returncode == 1
    assert "04_sequential.ipynb: cannot sync it" in rebuilt.stderr and "synced notebooks/01_flatten.ipynb" in rebuilt.stdout
    assert "Traceback" not in rebuilt.stdout + rebuilt.stderr


def test_notebook_source_leaves_out_check_cells_and_magics_and_errors_quote_the_cell(tmp_path):
    """Check cells, line magics and shell escapes are left out (a %%time cell keeps its Python; a %%bash
    cell has none); an expression continued on a line starting with % and a string holding lines that
    start with ! or % are kept; an error quotes the learner's cell."""
    from grader.checks.failure import CheckFailure
    from grader.checks.notebook_source import notebook_to_source
    from grader.checks.submission import load_submission

    path = tmp_path / "04_sequential.ipynb"
    nbformat.write(new_notebook(cells=[
        new_markdown_cell("# notes"),
        new_code_cell("%matplotlib inline\nimport math"),
        new_code_cell("%%time\nslow = True"),
        new_code_cell("%%bash\necho shell_only"),
        new_code_cell('SEVEN = (7\n% 5)\nNOTE = """\n!important\n%d items\n"""\n!pip install nothing'),
        new_code_cell("def build_model():\n    return math.floor(1 / 0)"),
        new_code_cell('import grader\nfrom grader.notebook import check\ncheck("04", "test_layer_types", globals())'),
        new_code_cell('grader.notebook.check("04", "test_layer_types", globals())'),
    ]), path)
    source = notebook_to_source(path)
    assert "# %matplotlib inline" in source and "import math" in source
    assert "slow = True" in source and "shell_only" not in source and "check(" not in source  # %%time runs Python
    # a % or ! that continues an expression or lies in a string is Python, as IPython reads it
    assert "SEVEN = (7\n% 5)" in source and "\n!important\n%d items\n" in source and "# !pip install" in source
    submission = load_submission(path, "04")
    with pytest.raises(CheckFailure) as failure:
        submission.call("build_model")
    assert "ZeroDivisionError" in failure.value.summary
    assert failure.value.why.endswith("of 04_sequential.ipynb: return math.floor(1 / 0)")


def _namespace(root: Path, replace: tuple[str, str] | None = None) -> dict:
    """What a notebook kernel's globals() hold after running the solution cell (optionally altered)."""
    source = (root / "solutions" / "04_sequential.py").read_text()
    if replace:
        assert replace[0] in source
        source = source.replace(*replace)
    namespace = {"__name__": "__main__"}
    exec(compile(source, "<cell>", "exec"), namespace)  # noqa: S102 - a notebook cell, run as Jupyter would
    return namespace


def test_notebook_check_prints_one_line_and_keeps_stderr_empty(root, capfd):
    from grader.notebook import check

    namespace = _namespace(root)
    model = namespace["build_model"]

    def noisy_build_model():
        print("debug", file=sys.stderr)
        os.write(2, b"C++ log line\n")
        return model()

    namespace["build_model"] = noisy_build_model
    assert check("04", "test_layer_types", namespace) is None  # a value would be partial credit in nbgrader
    check("4", "test_hidden_forward_pass_matches_reference", namespace)
    out, err = capfd.readouterr()
    assert out == "✓ layer types (2 points)\n✓ hidden check (2 points)\n"
    assert err == ""

    check("04", "test_layer_types", {**namespace, "__name__": "_course_submission_04_1"})  # imported: no-op
    assert capfd.readouterr() == ("", "")


def test_notebook_check_raises_the_pytest_graders_message(root, tmp_path):
    from grader.manifest import load_course
    from grader.notebook import HIDDEN_MESSAGE, CheckFailed, check
    from grader.runner import run_checks

    no_bias = ('keras.layers.Dense(128, activation="relu")', 'keras.layers.Dense(128, activation="relu", use_bias=False)')
    with pytest.raises(CheckFailed) as failed:
        check("04", "test_parameter_counts", _namespace(root, no_bias))
    answer = tmp_path / "04_sequential.py"
    answer.write_text((root / "solutions" / "04_sequential.py").read_text().replace(*no_bias))
    (expected,) = [c.message for c in run_checks(load_course().find("04"), answer).checks
                   if c.name == "test_parameter_counts"]
    assert str(failed.value) == expected
    assert failed.value._render_traceback_() == ["✗ parameter counts — 0 of 3 points", *expected.splitlines()]

    with pytest.raises(CheckFailed) as hidden:
        check("04", "test_hidden_forward_pass_matches_reference", _namespace(root, no_bias))
    assert str(hidden.value) == HIDDEN_MESSAGE
    with pytest.raises(LookupError):
        check("04", "test_no_such_check", _namespace(root))


def test_check_exercise_runs_every_public_check_on_the_namespace(root, capsys):
    from grader.notebook import CheckFailed, check_exercise

    check_exercise(4, _namespace(root))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "✓ layer types (2/2 points)" and lines[-1] == "exercise 4: 10/10 points"

    stub = _namespace(root, (_solution_body(root, "04_sequential.py"), STUB_BODY))
    with pytest.raises(CheckFailed) as failed:
        check_exercise("04", stub)
    assert "not implemented yet" in str(failed.value)
    assert failed.value._render_traceback_()[0] == "✗ exercise 4 — 0/10 points"
