"""`course new-exercise NN slug`: scaffold every file a new exercise touches, so the course's own
drift checks (stubs, lesson links, nav, variants) see it at once and guide the author from there.

It writes, in the course at `root`:

    grader/course.toml                      an `[[exercise]]` entry: title, lesson, budget, hints, points
    solutions/NN_slug.py                    the reference solution, its learner part between markers
    exercises/NN_slug.py                    the stub generated from it (as `course stubs` would)
    grader/checks_public/test_NN_slug.py    a public check (worth the points the entry gives it)
    grader/checks_hidden/test_NN_slug.py    a hidden check
    docs/lessons/NN-slug.md                 the lesson page, linking the exercise page
    mkdocs.yml                              the lesson's nav entry, after the last lesson
    tests/variants/NN/                      one correct and one wrong answer (the suite asks for five each)

The scaffolded exercise is complete and consistent (its solution passes its checks, its stub fails
them), a placeholder for the author to rewrite. Nothing is written if any of these files exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from grader.author.stubs import make_stub
from grader.manifest import load_course

SLUG = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
NAV_LESSONS = "  - Lessons:"


class ScaffoldError(ValueError):
    """The exercise cannot be scaffolded as asked (bad number or slug, taken id, an existing file)."""


@dataclass(frozen=True)
class NewExercise:
    """The names of a new exercise, derived once from its number and slug."""

    number: int
    slug: str
    title: str

    @property
    def id(self) -> str:
        return f"{self.number:02d}"

    @property
    def filename(self) -> str:
        return f"{self.id}_{self.slug.replace('-', '_')}.py"

    @property
    def lesson(self) -> str:
        return f"lessons/{self.id}-{self.slug}.md"

    @property
    def page(self) -> str:
        return f"exercises/{self.id}-{self.slug}.md"


def scaffold_paths(root: Path, new: NewExercise) -> dict[str, Path]:
    """Where each file of the new exercise goes (see the module docstring)."""
    return {
        "solution": root / "solutions" / new.filename,
        "stub": root / "exercises" / new.filename,
        "public_checks": root / "grader" / "checks_public" / f"test_{new.filename}",
        "hidden_checks": root / "grader" / "checks_hidden" / f"test_{new.filename}",
        "lesson": root / "docs" / new.lesson,
        "correct_variant": root / "tests" / "variants" / new.id / "correct_reference.py",
        "wrong_variant": root / "tests" / "variants" / new.id / "wrong_returns_its_input.py",
    }


def new_exercise(root: Path, number: int, slug: str, title: str | None = None) -> list[Path]:
    """Scaffold exercise `number` called `slug` in the course at `root`; return the files written or
    edited. ScaffoldError (nothing written) if the number or slug is invalid or taken, or a file exists."""
    root = Path(root)
    if not 1 <= number <= 99:
        raise ScaffoldError(f"an exercise number is between 1 and 99. Received: number={number}")
    if not SLUG.fullmatch(slug):
        raise ScaffoldError(f"a slug is lower-case words joined by '-', like 'custom-loss'. Received: slug={slug!r}")
    new = NewExercise(number, slug, title or slug.replace("-", " ").capitalize())
    manifest, mkdocs = root / "grader" / "course.toml", root / "mkdocs.yml"
    course = load_course(manifest)
    if any(e.id == new.id for e in course.exercises):
        raise ScaffoldError(f"exercise {new.id} already exists in {manifest.relative_to(root)}")
    paths = scaffold_paths(root, new)
    existing = [str(p.relative_to(root)) for p in paths.values() if p.exists()]
    if existing:
        raise ScaffoldError(f"these files exist already: {', '.join(existing)}")
    nav = mkdocs.read_text(encoding="utf-8")
    if NAV_LESSONS not in nav.splitlines():
        raise ScaffoldError(f"{mkdocs.name} has no `{NAV_LESSONS.strip()}` section to add the lesson to")

    solution = _solution(new)
    texts = {
        "solution": solution,
        "stub": make_stub(solution, new.filename),
        "public_checks": _public_checks(new),
        "hidden_checks": _hidden_checks(new),
        "lesson": _lesson(new),
        "correct_variant": _correct_variant(),
        "wrong_variant": _wrong_variant(),
    }
    for key, text in texts.items():
        paths[key].parent.mkdir(parents=True, exist_ok=True)
        paths[key].write_text(text, encoding="utf-8")
    with manifest.open("a", encoding="utf-8") as handle:
        handle.write(_manifest_entry(new))
    mkdocs.write_text(_with_nav_entry(nav, new), encoding="utf-8")
    load_course.cache_clear()
    return [manifest, mkdocs, *paths.values()]


def _with_nav_entry(nav: str, new: NewExercise) -> str:
    """mkdocs.yml with the lesson's nav entry after the last entry of the Lessons section."""
    lines = nav.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.rstrip("\n") == NAV_LESSONS) + 1
    while at < len(lines) and lines[at].startswith("      - "):
        at += 1
    lines.insert(at, f"      - {new.number}. {new.title}: {new.lesson}\n")
    return "".join(lines)


def _manifest_entry(new: NewExercise) -> str:
    return f'''
[[exercise]]
id = "{new.id}"
slug = "{new.slug}"
title = "{new.title}"
lesson = "{new.lesson}"
time_budget_s = 10
[exercise.hints]  # course hint N: nudge; --more: the API; a third time, or once passed: a worked line
nudge = """
TODO (author): a concept-level nudge that gives no code.
"""
api = """
TODO (author): the API to use.
"""
worked = """
return 2 * x
"""
[exercise.points]
test_double_matches_the_formula = 1
test_hidden_double_on_a_batch = 1
'''


def _solution(new: NewExercise) -> str:
    return f'''"""Exercise {new.number} — {new.title}.

Lesson: "{new.title}". Check your work with `course check {new.number}`.
"""

import numpy as np


def double(x):
    """TODO (author): the contract of what the learner writes. Here: 2·x, element-wise, as floats."""
    ### BEGIN SOLUTION
    return 2.0 * np.asarray(x, dtype="float64")
    ### END SOLUTION
'''


def _public_checks(new: NewExercise) -> str:
    return f'''"""Exercise {new.number} — {new.title}."""

import numpy as np
import pytest

from grader.checks import expect_array, expect_close

pytestmark = pytest.mark.exercise("{new.id}")


def test_double_matches_the_formula(submission):
    x = np.array([[-1.5, 0.0, 2.0]])
    got = expect_array("double(x)", submission.call("double", x), shape=x.shape)
    expect_close("double(x)", got, 2.0 * x, why="double(x) = 2·x, element by element")
'''


def _hidden_checks(new: NewExercise) -> str:
    return f'''"""Exercise {new.number} — hidden checks."""

import pytest

from grader.checks import expect_array, expect_close
from grader.checks.inputs import generator  # never np.random.default_rng: batch grading keeps the arrays secret

pytestmark = pytest.mark.exercise("{new.id}")


def test_hidden_double_on_a_batch(submission):
    x = generator(7).normal(size=(8, 5))
    got = expect_array("double(x)", submission.call("double", x), shape=x.shape)
    expect_close("double of a batch", got, 2.0 * x)
'''


def _lesson(new: NewExercise) -> str:
    return f"""# {new.title}

TODO (author): the lesson. Its code blocks run in the lesson-text test; see the README's author steps.

!!! example "Exercise {new.number}"

    Open `exercises/{new.filename}` and write `double`. Check it with `course check {new.number}`.

    [Open exercise {new.number}](../{new.page}){{ .md-button }}
"""


def _correct_variant() -> str:
    return '''"""Multiply with numpy's own function."""
import numpy as np


def double(x):
    return np.multiply(x, 2.0)
'''


def _wrong_variant() -> str:
    return '''"""expect: double(x)
Returns its input unchanged.
"""


def double(x):
    return x
'''
