"""mkdocs hook: one page per exercise, generated from the course manifest and the stub files.

Authors add an exercise to grader/course.toml and solutions/; this hook gives it a page under
`exercises/` (statement, stub, checks and points, the command to check it, the hint) and a nav entry.
Lessons link to these pages; tests check that every exercise is linked from exactly one lesson.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.structure.files import File

from grader.checkfiles import check_names
from grader.manifest import check_label, hidden_check_label, load_course

ROOT = Path(__file__).resolve().parents[2]


def on_config(config):
    course = load_course()
    entries = [{f"{e.number}. {e.title}": e.page} for e in course.exercises
               if (Path(config["docs_dir"]) / e.lesson).is_file()]
    nav = [item for item in (config.get("nav") or []) if "Exercises" not in item]
    config["nav"] = [*nav, {"Exercises": entries}]
    return config


def exercise_page(exercise) -> str:
    stub = (ROOT / "exercises" / exercise.filename).read_text(encoding="utf-8")
    checks = "\n".join(f"| {label} | {points:g} |" for label, points in check_rows(exercise))
    thresholds = ""
    if exercise.thresholds:
        rows = "\n".join(f"| {name} | ≥ {value:.2f} |" for name, value in exercise.thresholds.items())
        thresholds = f"\n### Accuracy thresholds\n\n| dataset | held-out accuracy |\n|---|---|\n{rows}\n"
    hints = "\n".join(hint_block(number, level) for number, level in enumerate(exercise.hints, start=1))
    return f"""# Exercise {exercise.number} — {exercise.title}

Lesson: [lesson {exercise.number}](../{exercise.lesson})

Open `exercises/{exercise.filename}`, replace each `raise NotImplementedError` with your code, then check it:

```bash
course check {exercise.number}
```

`course watch {exercise.number}` re-checks it every time you save; `course hint {exercise.number}` prints the first
hint below (`--more` the next one); `course reset {exercise.number}` restores the stub (your version is kept in `.course/backup/`).

Prefer Jupyter? [Download the notebook form](../notebooks/{exercise.notebook_name}), or let
`course notebooks` write this exercise as the notebook
`notebooks/{exercise.notebook_name}`, paired with the `.py` file through jupytext (edit
either; `jupytext --sync` or `course notebooks` again copies the newer one over), and
`course check --path notebooks/{exercise.notebook_name}` checks the notebook form.

## The stub

```python title="exercises/{exercise.filename}"
{stub.rstrip()}
```

## What the grader checks

Public checks run on your machine; the instructor's grader adds hidden checks. Points per check:

| check | points |
|---|---|
{checks}
{thresholds}
Time budget: {exercise.time_budget_s:g} s.

## Hints

Open one at a time: a nudge first, then the API to use, then a worked line.

{hints}"""


def check_rows(exercise) -> list[tuple[str, float]]:
    """(label, points) per check in the manifest's order: a public check by its name, a hidden one as
    `hidden check N`, as learners read it in their feedback (its name stays private)."""
    hidden = set(check_names(exercise.hidden_checks))
    rows, hidden_seen = [], 0
    for name, points in exercise.points.items():
        if name in hidden:
            hidden_seen += 1
            rows.append((hidden_check_label(hidden_seen), points))
        else:
            rows.append((f"`{check_label(name)}`", points))
    return rows


def hint_block(number: int, level) -> str:
    """One collapsed hint of the exercise page (mkdocs-material's `???` admonition)."""
    kind = "example" if level.key == "worked" else "tip"
    if level.key == "worked":
        body = "\n".join("    " + line for line in ["```python", *level.text.splitlines(), "```"])
    else:
        body = "\n".join("    " + line for line in level.text.splitlines())
    return f'??? {kind} "Hint {number} — {level.label}"\n{body}\n'



def notebook_page(exercise) -> str:
    """The exercise's notebook form, as `course notebooks` writes it (paired with exercises/)."""
    import nbformat

    from grader.export.notebooks import learner_notebook, pairing_formats

    script = ROOT / "exercises" / exercise.filename
    notebook = learner_notebook(script, pairing_formats(ROOT / "notebooks", ROOT / "exercises"), exercise)
    return nbformat.writes(notebook)


def on_files(files, config):
    for exercise in load_course().exercises:
        if not (Path(config["docs_dir"]) / exercise.lesson).is_file():
            continue  # an exercise whose lesson is not written yet gets no page
        files.append(File.generated(config, exercise.page, content=exercise_page(exercise)))
        files.append(File.generated(config, f"notebooks/{exercise.notebook_name}",
                                    content=notebook_page(exercise)))
    return files
