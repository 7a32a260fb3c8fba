"""Graduated hints: a nudge, then the API to use, then a worked line — and failure hints give no answer code."""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

import pytest
from conftest import ROOT

from grader.export.nbgrader import intro_markdown
from grader.learner.commands import hints
from grader.manifest import HINT_LEVELS, load_course
from grader.progress_store import record
from grader.results import CheckResult
from grader.runner import ExerciseResult

CHECK_SOURCES = sorted((ROOT / "grader").glob("checks*/*.py"))


def _normal(code: str) -> str:
    return re.sub(r"\s+", "", code).replace("'", '"')


def answer_lines(exercise) -> list[str]:
    """The solution's answer lines (inside the SOLUTION markers), normalised, long enough to be code."""
    source = (ROOT / "solutions" / exercise.filename).read_text(encoding="utf-8")
    lines, inside = [], False
    for line in source.splitlines():
        if "### BEGIN SOLUTION" in line or "### END SOLUTION" in line:
            inside = "BEGIN" in line
            continue
        code = line.split("#")[0].strip().rstrip(",")
        if inside and len(_normal(code)) >= 16:
            lines.append(_normal(code))
    return lines


def _text(node: ast.AST) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join("…" if isinstance(v, ast.FormattedValue) else _text(v) for v in node.values)
    if isinstance(node, ast.BinOp):
        return _text(node.left) + _text(node.right)
    return ""


def failure_hints() -> list[tuple[str, str]]:
    """Every `hint=` text the checks can show, with where it is written."""
    found = []
    for path in CHECK_SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "hint":
                found.append((f"{path.name}:{node.value.lineno}", _text(node.value)))
            elif isinstance(node, ast.Assign) and any(getattr(t, "id", "").endswith("HINT") for t in node.targets):
                found.append((f"{path.name}:{node.lineno}", _text(node.value)))
    return found


def test_failure_hints_never_contain_a_line_of_any_answer():
    lines = {line for exercise in load_course().exercises for line in answer_lines(exercise)}
    assert len(lines) > 40  # the solutions were read
    leaks = [(where, text) for where, text in failure_hints() for line in lines if line in _normal(text)]
    assert not leaks, leaks


@pytest.mark.parametrize("exercise", load_course().exercises, ids=lambda e: e.id)
def test_every_exercise_has_a_nudge_an_api_hint_and_a_worked_line(exercise):
    assert [level.key for level in exercise.hints] == list(HINT_LEVELS)
    nudge, api, worked = (level.text for level in exercise.hints)
    assert nudge and api and worked and len({nudge, api, worked}) == 3
    assert not any(line in _normal(nudge) for line in answer_lines(exercise)), nudge
    ast.parse(worked.strip().rstrip(","))  # the worked line is code, ready to adapt


def test_course_hint_gives_one_level_per_more_and_every_level_once_the_exercise_passes(tmp_path):
    exercise = load_course().find("3")
    (tmp_path / "exercises").mkdir()
    file = tmp_path / "exercises" / exercise.filename
    file.write_text((ROOT / "exercises" / exercise.filename).read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / "exercises"
    assert [h.key for h in hints(exercise, 0, path, tmp_path)] == ["nudge"]
    assert [h.key for h in hints(exercise, 1, path, tmp_path)] == ["nudge", "api"]
    assert [h.key for h in hints(exercise, 5, path, tmp_path)] == ["nudge", "api", "worked"]
    check = CheckResult(exercise.id, "test_relu_matches_keras", "passed", 1.0, 1.0, hidden=False)
    record(tmp_path, [ExerciseResult(exercise.id, exercise.slug, exercise.title, str(file), [check], 0.0)])
    assert [h.key for h in hints(exercise, 0, path, tmp_path)] == ["nudge", "api", "worked"]


def test_hints_reach_the_exercise_pages_and_the_notebooks_collapsed_one_at_a_time():
    spec = importlib.util.spec_from_file_location("exercise_pages", ROOT / "docs" / "hooks" / "exercise_pages.py")
    pages = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pages)
    exercise = load_course().find("4")
    page = pages.exercise_page(exercise)
    assert len(re.findall(r'^\?\?\? \w+ "Hint \d', page, flags=re.M)) == 3  # collapsed admonitions
    assert exercise.hints[2].text in page
    intro = intro_markdown(exercise, None)
    assert intro.count("<details><summary>Hint") == 3
    assert all(level.text in intro for level in exercise.hints)


def test_the_stub_failure_points_to_the_nudge_not_to_the_answer():
    exercise = load_course().find("3")
    assert Path(ROOT / "exercises" / exercise.filename).is_file()
    assert "np.maximum" not in exercise.hint and "argmax" not in exercise.hint
