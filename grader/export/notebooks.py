"""Exercises as Jupyter notebooks for learners, and notebooks back to Python for the grader.

Pairing. `exercises/NN_slug.py` stays the single source. `write_learner_notebooks` reads it with
jupytext's *light* format (top-level blocks become cells; a plain script round-trips byte for byte)
and writes `notebooks/NN_slug.ipynb` whose metadata pairs it with that file
(`jupytext.formats = "ipynb,../exercises//py:light"`, metadata filters `-all` so the `.py` never
gains a header). Either file can then be edited: `jupytext --sync notebooks/NN_slug.ipynb` (or
Jupyter with the jupytext extension, or `course notebooks` again) takes the inputs from whichever
file is newer and rewrites the other. The percent format was rejected because it would add `# %%`
lines to the learner's `.py` and make it differ from the stub.

Hints. The notebook ends with the exercise's graduated hints, one markdown cell per level, each a
collapsed `<details>` block (the same blocks as nbgrader's notebooks, grader.export.nbgrader), so
the learner opens one at a time. A new notebook's `.py` is still exactly the stub: the hint cells
reach it only as a comment block once the notebook side is synced, and `course notebooks` puts them
back into a notebook that a sync from the `.py` side left without them.


A submitted notebook is read back into Python by grader.checks.notebook_source.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import nbformat

from grader.checks.failure import error_lines
from grader.manifest import Exercise, load_course

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
TEXT_FORMAT = "py:light"


def pairing_formats(notebooks_dir: Path, exercises_dir: Path) -> str:
    """jupytext's `formats` value pairing notebooks in `notebooks_dir` with scripts in `exercises_dir`."""
    from jupytext.formats import short_form_multiple_formats

    relative = os.path.relpath(Path(exercises_dir).resolve(), Path(notebooks_dir).resolve())
    script = {"extension": ".py", "format_name": "light"}
    if relative != ".":
        script["prefix"] = Path(relative).as_posix() + "/"
    return short_form_multiple_formats([{"extension": ".ipynb"}, script])


HINT_SUMMARY = "<details><summary>Hint "  # how a hint cell begins (`hint_details`)


def hint_details(number: int, level) -> str:
    """One hint as a collapsed HTML <details> block (Jupyter renders it closed until clicked)."""
    text = f"```python\n{level.text}\n```" if level.key == "worked" else level.text
    return f"<details><summary>Hint {number} — {level.label}</summary>\n\n{text}\n\n</details>"


def hint_cells(exercise: Exercise) -> list[nbformat.NotebookNode]:
    """The exercise's graduated hints as markdown cells, one per level, each collapsed (<details>) so that
    the learner opens one at a time, as on the site's exercise page and in nbgrader's notebooks."""
    from nbformat.v4 import new_markdown_cell

    return [new_markdown_cell(hint_details(number, level)) for number, level in enumerate(exercise.hints, start=1)]


def is_hint_cell(cell) -> bool:
    return cell.get("cell_type") == "markdown" and str(cell.get("source", "")).startswith(HINT_SUMMARY)


def with_hints(notebook: nbformat.NotebookNode, exercise: Exercise) -> bool:
    """Append the exercise's hint cells to `notebook` unless it has them already; True if it changed."""
    if not exercise.hints or any(is_hint_cell(cell) for cell in notebook.cells):
        return False
    notebook.cells.extend(hint_cells(exercise))
    return True


def learner_notebook(script: Path, formats: str, exercise: Exercise | None = None) -> nbformat.NotebookNode:
    """The notebook form of one exercise script, paired with it through `formats`, ending with the
    exercise's hints when `exercise` is given (`with_hints`)."""
    import jupytext

    notebook = jupytext.read(script, fmt=TEXT_FORMAT)
    if exercise is not None:
        with_hints(notebook, exercise)
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    notebook.metadata["jupytext"] = {
        "formats": formats,
        "notebook_metadata_filter": "-all",  # the .py keeps no jupytext header: it stays the stub
        "cell_metadata_filter": "-all",
    }
    return notebook


@dataclass(frozen=True)
class NotebookWritten:
    """What `write_learner_notebooks` did for one exercise: 'created', 'synced', 'skipped' (no script
    and no notebook) or 'failed' (the pair could not be synced; `reason` says why)."""

    exercise: str
    path: Path
    action: str
    reason: str = ""


def write_learner_notebooks(exercises_dir: Path, notebooks_dir: Path,
                            exercises: Iterable[Exercise] | None = None) -> list[NotebookWritten]:
    """Write (or re-sync) `notebooks_dir/NN_slug.ipynb` for each exercise's `exercises_dir/NN_slug.py`.

    A missing notebook is created from the script, with the script's modification time so that
    neither file counts as edited. An existing pair is synchronised the way `jupytext --sync` does
    it (the newer file's inputs win), so running this again never loses the learner's work. A pair
    that cannot be synced (e.g. a notebook that is not valid JSON) is reported and left alone.
    """
    import jupytext
    from jupytext.cli import jupytext as jupytext_cli

    exercises_dir, notebooks_dir = Path(exercises_dir), Path(notebooks_dir)
    notebooks_dir.mkdir(parents=True, exist_ok=True)
    formats = pairing_formats(notebooks_dir, exercises_dir)
    done = []
    for exercise in exercises if exercises is not None else load_course().exercises:
        script, target = exercises_dir / exercise.filename, notebooks_dir / exercise.notebook_name
        if target.is_file():
            try:
                jupytext_cli(["--sync", "--quiet", str(target)])
            except Exception as error:  # noqa: BLE001 - a broken notebook must not stop the others
                done.append(NotebookWritten(exercise.id, target, "failed", f"cannot sync it: {error_lines(error)}"))
                continue
            _restore_hints(target, exercise)
            done.append(NotebookWritten(exercise.id, target, "synced"))
        elif script.is_file():
            jupytext.write(learner_notebook(script, formats, exercise), target, fmt="ipynb")
            stat = script.stat()
            os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
            done.append(NotebookWritten(exercise.id, target, "created"))
        else:
            done.append(NotebookWritten(exercise.id, target, "skipped", f"no {script}"))
    return done


def _restore_hints(target: Path, exercise: Exercise) -> None:
    """Put the hint cells back into a synced notebook that lost them (a sync from the .py side takes the
    .py's cells, and the .py starts as the stub, without hints)."""
    import jupytext

    try:
        notebook = jupytext.read(target, fmt="ipynb")
        if with_hints(notebook, exercise):
            jupytext.write(notebook, target, fmt="ipynb")
    except Exception:  # noqa: BLE001 - a notebook that cannot be read keeps its state; the sync reported it
        return
