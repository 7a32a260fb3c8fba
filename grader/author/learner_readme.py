"""The README of the learner's copy, written by `course release` from the sources the site reads.

Every fact in it has its home elsewhere and is read from there: the course's title, exercises,
titles, lesson pages and datasets from the manifest (`grader/course.toml`); each lesson's title
from its page's first heading (as the site shows it); the one-line description from
`pyproject.toml`; the learner commands, their help and their examples from the CLI's own
definitions (`grader.learner.cli`); the notebook check cell from `grader.notebook`'s docstring
contract; the submission's contents from `grader.learner.submit`. What stays here is the prose
around them, written for learners: nothing about reference answers, the contents of the
instructor's further checks, batch grading or course authoring.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from grader.datasets import DATASET_ENV
from grader.learner.cli import learner_commands
from grader.learner.submit import RECORD_NAME
from grader.manifest import Course, Exercise
from grader.progress_store import STATE_DIR

FEEDBACK_EXAMPLE = """\
✗ parameter counts  [0/3]
    Dense layer 2 has 100,352 parameters; expected 100,480 = 784 inputs × 128 units + 128 biases
      hint:     is `use_bias=False` set? Dense layers here keep their biases"""


def lesson_title(docs: Path, exercise: Exercise) -> str:
    """The lesson's title as the site shows it: its page's first `# ` heading (else the file name)."""
    page = docs / exercise.lesson
    for line in page.read_text(encoding="utf-8").splitlines() if page.is_file() else []:
        if line.startswith("# "):
            return line.removeprefix("# ").strip()
    return Path(exercise.lesson).stem


def project_description(pyproject: Path) -> str:
    """The one-line description in pyproject.toml."""
    return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["description"]


def _exercise_table(course: Course, docs: Path) -> str:
    rows = [f"| {e.number} | {e.title} | [{lesson_title(docs, e)}](docs/{e.lesson}) | `exercises/{e.filename}` |"
            for e in course.exercises]
    return "| # | exercise | lesson | your file |\n|---|---|---|---|\n" + "\n".join(rows)


def _commands() -> str:
    commands = learner_commands()
    table = "\n".join(f"| `course {c.name}` | {c.summary} |" for c in commands)
    examples = [example for c in commands for example in c.examples]
    width = max(len(example.command) for example in examples)
    lines = "\n".join(f"{example.command.ljust(width)}   # {example.does}" for example in examples)
    return f"| command | what it does |\n|---|---|\n{table}\n\n```bash\n{lines}\n```"


def _data(course: Course) -> str:
    trained = [e for e in course.exercises if e.thresholds]
    numbers = [str(e.number) for e in trained]
    which = " and ".join([", ".join(numbers[:-1]), numbers[-1]] if len(numbers) > 1 else numbers)
    sets = "\n".join(f"- `{name}`: {spec.get('description', name)}" for name, spec in course.datasets.items())
    return f"""Exercise{"s" if len(numbers) > 1 else ""} {which} train{"" if len(numbers) > 1 else "s"} a model and need a held-out accuracy above a threshold; the threshold
depends on the data set, and every result says which data set it used. The data sets:

{sets}

Real MNIST is used when it is already in `~/.keras/datasets/`, or when you ask for it with
`{DATASET_ENV}=mnist` (which may download it). Otherwise the checks use the offline digits, which
need no network."""


def learner_readme(course: Course, docs: Path, pyproject: Path) -> str:
    """The learner copy's README.md for `course` (see the module docstring)."""
    example = next((e for e in course.exercises if e.number == 4), course.exercises[0])
    notebook = example.notebook_name
    return f"""# {course.title}

{project_description(pyproject)}

This is your copy of the course: {len(course.exercises)} lessons (a website you build and read on your
own machine), one exercise per lesson in `exercises/`, and the checks that tell you, as you go, what
each exercise gets right and what it does not yet.

## Start: two commands

On a machine with Python 3.11 or newer (the first install needs the package index):

```bash
make demo   # install into .venv, build the lesson site, check your exercises, show your progress
make test   # the same install, then this copy's own tests
```

`make serve` then serves the lessons on http://127.0.0.1:8000. The `course` command is installed in
`.venv/`: activate it (`source .venv/bin/activate`) or type `.venv/bin/course`.

## The exercises

Read a lesson, open its exercise file, replace each `raise NotImplementedError` with your code, and
check it. Each exercise's page on the site shows its stub, its checks and their points, and its hint.

{_exercise_table(course, docs)}

## Your commands

{_commands()}

Plain pytest works too: `pytest grader/checks_public/test_{example.filename}` checks `exercises/`
(`--submission PATH` for another folder or file).

## How feedback reads

A failing check says what was expected, what was found, why (the formula), and what to try:

```text
{FEEDBACK_EXAMPLE}
```

A stub's checks all say "not implemented yet". `course list` keeps your progress (in `{STATE_DIR}/`)
and marks a result "changed since" when you edit the file after checking it. When you hand in, your
instructor grades the same files with these checks and may add further checks of their own.

## The data

{_data(course)}

## Notebooks

```bash
course notebooks                        # notebooks/NN_slug.ipynb, paired with exercises/NN_slug.py
course check --path notebooks/{notebook}
jupytext --sync notebooks/{notebook}   # after editing either file (or: course notebooks)
```

Each notebook is paired with its `.py` file through jupytext, so you can edit either one; syncing
copies the newer file's code into the other. Inside a notebook, a cell with
`from grader.notebook import check_exercise; check_exercise("{example.id}", globals())` runs the checks
on the code you have just run; the checks leave that cell out when they read the notebook.

## Handing in

```bash
course submit --student YOUR_ID
```

checks every exercise once, then writes `YOUR_ID.zip`: one file per exercise (the `.py` file, or
its notebook when the notebook is the one you edited last) and `{RECORD_NAME}`, which lists the
course's version, each file's hash and your local results. It also records your computer's clock
time, as your claim only: the time your work counts as handed in is when your instructor receives
the file. Hand in `YOUR_ID.zip` the way your instructor asks.

`course submit` refuses to write anything while every exercise is still its stub, and warns about
each exercise that fails its checks (it is handed in as it is) and each exercise whose file is
missing (it is not handed in: `course reset N` brings back its stub). The student id is the
archive's name, so use the one your instructor gave you; `course submit` remembers it for next time
(`--out FOLDER` writes the archive in a folder that exists). Submitting again replaces the archive
with your latest work.

## What is in this copy

| path | what it is |
|---|---|
| `docs/`, `mkdocs.yml` | the lessons (`make serve` shows them as a site) |
| `exercises/` | your exercise files |
| `notebooks/` | the notebook forms, once `course notebooks` has written them |
| `grader/` | the checks and the `course` command |
| `tests/` | this copy's own tests (`make test`) |
| `{STATE_DIR}/` | your progress and, after `course reset`, your previous versions |
"""
