"""Export the course as an nbgrader course: `nbgrader_config.py` and one source notebook per exercise.

Layout written under COURSE_DIR (nbgrader's own):

    nbgrader_config.py                    course id, gradebook, stub text, timeout, private feedback
                                          (grader.export.nbgrader_feedback)
    source/<assignment>/NN_slug.ipynb     one notebook per exercise

One assignment holds every exercise by default: the course is one body of work, and nbgrader's
gradebook then totals it per student. An instructor who releases lesson by lesson exports one
assignment per release with `exercises=` (`--exercises 1,2`).

Each notebook, in order:
  1. a read-only markdown cell: the exercise title, the lesson's opening paragraphs, a pointer to the
     lesson, how the notebook is graded, and the graduated hints, each collapsed (<details>);
  2. a read-only code cell importing the grader (which silences TensorFlow before anything imports it)
     and `grader.notebook.check`;
  3. the solution cell: the solution file verbatim, `### BEGIN SOLUTION`/`### END SOLUTION` included,
     so `nbgrader generate_assignment` turns it into exactly the stub in `exercises/`;
  4. one read-only graded cell per check in the manifest's `[exercise.points]`, worth those points,
     calling `check(id, name, globals())`, its grade id the check's name; a hidden check's call sits
     between `### BEGIN HIDDEN TESTS`/`### END HIDDEN TESTS` and its grade id is `hidden_check_N`,
     because nbgrader's feedback shows grade ids.

Cells carry nbgrader's current metadata (schema_version 3) and stable ids derived from their grade
ids, so exporting twice writes identical files. The test cells call the same checks as `course
check`; nothing about a check is repeated here but its name and its points, both from the manifest.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.checkfiles import check_names
from grader.export.notebooks import KERNELSPEC, hint_details
from grader.manifest import HIDDEN_CHECK, Course, Exercise, check_label, hidden_check_label, load_course, points_text
from grader.solution_markers import STUB_PLACEHOLDER

DEFAULT_ASSIGNMENT = "keras-course"
SCHEMA_VERSION = 3
CODE_STUB = "\n".join(STUB_PLACEHOLDER)  # nbgrader writes the same placeholder as exercises/ stubs
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
SETUP_SOURCE = (
    "# Run this cell first: it loads the course's checks and keeps TensorFlow's log messages quiet.\n"
    "import grader  # noqa: F401\n"
    "from grader.notebook import check"
)
_MAX_INTRO_PARAGRAPHS = 2


class ExportError(ValueError):
    """The course cannot be exported as it stands (a missing solution, a check not in any file)."""


def export_course(course_dir: Path, *, solutions_dir: Path, docs_dir: Path | None = None,
                  assignment: str = DEFAULT_ASSIGNMENT,
                  exercises: Iterable[Exercise] | None = None) -> list[Path]:
    """Write COURSE_DIR/nbgrader_config.py and COURSE_DIR/source/<assignment>/*.ipynb; return the paths.

    `exercises` defaults to every exercise in the manifest. ExportError names the first exercise
    that cannot be exported; nothing is written in that case.
    """
    if not re.fullmatch(r"[A-Za-z0-9_\-]+", assignment):
        raise ExportError(f"an assignment name may hold letters, digits, '-' and '_'; received {assignment!r}")
    course = load_course()
    chosen = list(exercises) if exercises is not None else list(course.exercises)
    notebooks = {e.notebook_name: source_notebook(e, _solution(e, Path(solutions_dir)), docs_dir) for e in chosen}
    course_dir = Path(course_dir)
    target = course_dir / "source" / assignment
    target.mkdir(parents=True, exist_ok=True)
    config = course_dir / "nbgrader_config.py"
    config.write_text(nbgrader_config(course), encoding="utf-8")
    written = [config]
    for name, notebook in notebooks.items():
        nbformat.write(notebook, target / name)
        written.append(target / name)
    return written


def source_notebook(exercise: Exercise, solution: str, docs_dir: Path | None = None) -> nbformat.NotebookNode:
    """The nbgrader source notebook of one exercise (see the module docstring); valid and normalized."""
    public, hidden = check_names(exercise.public_checks), check_names(exercise.hidden_checks)
    cells = [
        _cell(new_markdown_cell(intro_markdown(exercise, docs_dir)), "intro", locked=True),
        _cell(new_code_cell(SETUP_SOURCE), "setup", locked=True),
        _cell(new_code_cell(solution.rstrip("\n")), "answer", solution=True),
    ]
    hidden_number = 0
    for name, points in exercise.points.items():
        if name not in public and name not in hidden:
            raise ExportError(f"exercise {exercise.id}: check {name} of grader/course.toml is defined in neither "
                              f"{exercise.public_checks.name} of checks_public/ nor of checks_hidden/")
        grade_id = name
        if name in hidden:  # feedback shows grade ids: a hidden check's name stays private too
            hidden_number += 1
            grade_id = hidden_check_label(hidden_number).replace(" ", "_")
        cells.append(_cell(new_code_cell(test_source(exercise, name, hidden=name in hidden)), grade_id,
                           locked=True, points=points))
    notebook = new_notebook(cells=cells, metadata={"kernelspec": dict(KERNELSPEC),
                                                   "language_info": {"name": "python"}})
    _, normalized = nbformat.validator.normalize(notebook)
    notebook = nbformat.from_dict(normalized)
    nbformat.validate(notebook)
    return notebook


def test_source(exercise: Exercise, check_name: str, *, hidden: bool) -> str:
    """The code of one graded cell: a call to grader.notebook.check, hidden between markers if need be."""
    points = exercise.points[check_name]
    call = f'check("{exercise.id}", "{check_name}", globals())'
    worth = points_text(points)
    if hidden:
        return f"# {HIDDEN_CHECK} ({worth}): it runs when your notebook is graded\n{BEGIN_HIDDEN}\n{call}\n{END_HIDDEN}"
    return f"# {check_label(check_name)} ({worth})\n{call}"


def intro_markdown(exercise: Exercise, docs_dir: Path | None) -> str:
    """Title, the lesson's opening paragraphs, where the lesson is, and how the notebook is graded."""
    lesson_title, paragraphs = _lesson_opening(docs_dir / exercise.lesson if docs_dir else None)
    lesson = f"**{lesson_title}**" if lesson_title else f"of exercise {exercise.number}"
    parts = [f"# Exercise {exercise.number} — {exercise.title}", *paragraphs,
             f"This exercise goes with the lesson {lesson} (`docs/{exercise.lesson}`).",
             f"Write your code where the next cells say `{STUB_PLACEHOLDER[0]}`. The cells after it are the "
             f"graded checks — {exercise.max_points:g} points in all; run them to see how you are doing. "
             f"Hidden checks run only when your notebook is graded."]
    if exercise.hints:
        parts.append("Stuck? Open one hint at a time: a nudge first, then the API to use, then a worked line.")
        parts.extend(hint_details(number, level) for number, level in enumerate(exercise.hints, start=1))
    return "\n\n".join(parts)


def _lesson_opening(path: Path | None) -> tuple[str | None, list[str]]:
    """The lesson's H1 title and its first prose paragraphs (before the first section or special block)."""
    if path is None or not path.is_file():
        return None, []
    title, paragraphs = None, []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        block = block.strip()
        if block.startswith("# ") and title is None:
            title = block[2:].strip()
            continue
        if block.startswith(("#", "!!!", "???", "===", "```", "--8<--", "<", "|")):
            break
        paragraphs.append(block)
        if len(paragraphs) == _MAX_INTRO_PARAGRAPHS:
            break
    return title, paragraphs


def nbgrader_config(course: Course) -> str:
    """The text of nbgrader_config.py for `course` (its id, timeout and settings come from the manifest)."""
    course_id = re.sub(r"[^a-z0-9]+", "-", course.title.lower()).strip("-")
    longest = max((e.time_budget_s for e in course.exercises), default=30.0)
    timeout = math.ceil(2 * longest + 60)
    return f'''"""nbgrader configuration for "{course.title}", written by `course nbgrader export`.

Export again rather than editing by hand: the course id, the points and the timeout come from
grader/course.toml.
"""

import os

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import GetGrades

from grader.export.nbgrader_feedback import ClearHiddenTestCode

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

ROOT = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.root = ROOT
c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(ROOT, "gradebook.db")

# The stub nbgrader writes in place of a solution: the same text as the course's exercises/ stubs.
c.ClearSolutions.code_stub = {{"python": {CODE_STUB!r}}}

# One check per cell; the slowest check may train for {longest:g} s. Twice that plus a minute.
c.Execute.timeout = {timeout}

# nbgrader puts hidden tests back into feedback by design (jupyter/nbgrader#917); this course keeps
# their code private, so feedback is generated with the hidden regions (and any traceback quoting
# them) cleared again.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTestCode, CSSHTMLHeaderPreprocessor]

# `nbgrader release_assignment`/`collect` need an exchange folder shared with the students, e.g.:
# c.Exchange.root = "/srv/nbgrader/exchange"
'''


def _solution(exercise: Exercise, solutions_dir: Path) -> str:
    path = solutions_dir / exercise.filename
    if not path.is_file():
        raise ExportError(f"exercise {exercise.id}: no solution file {path}")
    source = path.read_text(encoding="utf-8")
    if "### BEGIN SOLUTION" not in source:
        raise ExportError(f"exercise {exercise.id}: {path} has no ### BEGIN SOLUTION marker")
    return source


def _cell(cell: nbformat.NotebookNode, grade_id: str, *, locked: bool = False, solution: bool = False,
          points: float | None = None) -> nbformat.NotebookNode:
    """`cell` with nbgrader metadata (schema 3) and a stable cell id derived from `grade_id`."""
    meta = {"schema_version": SCHEMA_VERSION, "grade": points is not None, "solution": solution,
            "locked": locked, "task": False, "grade_id": grade_id}
    if points is not None:
        meta["points"] = points
    cell.metadata["nbgrader"] = meta
    cell.id = grade_id.replace("_", "-")[:64]
    return cell
