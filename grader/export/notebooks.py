"""Exercises as Jupyter notebooks for learners, and notebooks back to Python for the grader.

Pairing. `exercises/NN_slug.py` stays the single source. `write_learner_notebooks` reads it with
jupytext's *light* format (top-level blocks become cells; a plain script round-trips byte for byte)
and writes `notebooks/NN_slug.ipynb` whose metadata pairs it with that file
(`jupytext.formats = "ipynb,../exercises//py:light"`, metadata filters `-all` so the `.py` never
gains a header). Either file can then be edited: `jupytext --sync notebooks/NN_slug.ipynb` (or
Jupyter with the jupytext extension, or `course notebooks` again) takes the inputs from whichever
file is newer and rewrites the other. The percent format was rejected because it would add `# %%`
lines to the learner's `.py` and make it differ from the stub.

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


def learner_notebook(script: Path, formats: str) -> nbformat.NotebookNode:
    """The notebook form of one exercise script, paired with it through `formats`."""
    import jupytext

    notebook = jupytext.read(script, fmt=TEXT_FORMAT)
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
            done.append(NotebookWritten(exercise.id, target, "synced"))
        elif script.is_file():
            jupytext.write(learner_notebook(script, formats), target, fmt="ipynb")
            stat = script.stat()
            os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
            done.append(NotebookWritten(exercise.id, target, "created"))
        else:
            done.append(NotebookWritten(exercise.id, target, "skipped", f"no {script}"))
    return done
