"""A small class of made-up students, for `make demo` to grade: what an instructor sees on a real term.

    python -m grader.author.sample_class OUT [--exercise 01 --exercise 04 ...]

writes one folder per student under OUT, each the way `course grade` takes it, plus OUT/README.txt
saying who is who. The students, for exercises E (default 01, 02, 04):

- `alice`: the reference solutions, on time (nbgrader's `timestamp.txt`);
- `bob`: the untouched stubs, on time — every check fails with its message;
- `carol`: alice's answers disguised — local names renamed, comments dropped, functions reversed —
  handed in a day and a bit late: the similarity report flags alice–carol, the late policy costs her;
- `dave`: an independently written answer in another style where the course has one
  (tests/variants/NN/correct_*.py), a wrong one for the last exercise, three days late;
- `erin`: the reference solutions in a zip archive, no timestamp: her time is unknown, not late.

Answers come from `solutions/` and, for dave, from `tests/variants/` (the instructor's repository
has both); a missing variant falls back to the solution. The deadline the demo passes is
`SAMPLE_DEADLINE`.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import shutil
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from grader.manifest import PACKAGE_DIR, Exercise, load_course

ROOT = PACKAGE_DIR.parent
SAMPLE_DEADLINE = datetime.fromisoformat("2026-12-01T23:59:00+01:00")
DEFAULT_EXERCISES = ("01", "02", "04")


def disguised(source: str) -> str:
    """`source` as a student copying it would hide it: the local variables renamed (a function's
    parameters keep their names: the grader calls them by keyword), comments dropped, and the top-level
    statements after the imports in reverse order. It computes the same."""
    tree = ast.parse(source)
    params = {node.arg for node in ast.walk(tree) if isinstance(node, ast.arg)}
    stored = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
    top = {target.id for node in tree.body if isinstance(node, ast.Assign) for target in node.targets
           if isinstance(target, ast.Name)}  # module constants: a check may read them
    new = {name: f"my_{name}_v{number}" for number, name in enumerate(sorted(stored - params - top - set(dir(builtins))))}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in new:
            node.id = new[node.id]
    imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    rest = [n for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom))]
    tree.body = imports + rest[::-1]
    return ast.unparse(tree) + "\n"


def _variant(exercise: Exercise, kind: str) -> Path:
    """The first variant of `kind` ("correct"/"wrong") other than the source text's, else the solution."""
    folder = ROOT / "tests" / "variants" / exercise.id
    found = sorted(p for p in folder.glob(f"{kind}_*.py") if p.stem != "correct_source_text") if folder.is_dir() else []
    return found[0] if found else ROOT / "solutions" / exercise.filename


def _timestamp(folder: Path, when: datetime) -> None:
    """nbgrader's `timestamp.txt`, in its own format (UTC)."""
    stamp = when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    (folder / "timestamp.txt").write_text(stamp + "\n", encoding="utf-8")


def write_sample_class(out: Path, exercise_ids: tuple[str, ...] = DEFAULT_EXERCISES) -> list[str]:
    """Write the sample class under `out` (replacing what is there); return the students' ids."""
    course = load_course()
    exercises = [course.find(e) for e in exercise_ids]
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    solutions = {e.filename: (ROOT / "solutions" / e.filename).read_text(encoding="utf-8") for e in exercises}
    students = {
        "alice": (solutions, SAMPLE_DEADLINE - timedelta(hours=3)),
        "bob": ({e.filename: (ROOT / "exercises" / e.filename).read_text(encoding="utf-8") for e in exercises},
                SAMPLE_DEADLINE - timedelta(days=1)),
        "carol": ({name: disguised(text) for name, text in solutions.items()},
                  SAMPLE_DEADLINE + timedelta(days=1, hours=2)),
        "dave": ({e.filename: _variant(e, "wrong" if e is exercises[-1] else "correct").read_text(encoding="utf-8")
                  for e in exercises}, SAMPLE_DEADLINE + timedelta(days=3)),
    }
    for student, (files, when) in students.items():
        folder = out / student
        folder.mkdir()
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        _timestamp(folder, when)
    with zipfile.ZipFile(out / "erin.zip", "w") as archive:
        for name, text in solutions.items():
            archive.writestr(f"handin/{name}", text)
    (out / "README.txt").write_text(__doc__.split("writes one folder")[1].split("Answers come")[0].strip() + "\n",
                                    encoding="utf-8")
    return [*students, "erin"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a small sample class for `course grade`.")
    parser.add_argument("out", type=Path)
    parser.add_argument("-e", "--exercise", action="append", help="exercise id (repeatable)")
    args = parser.parse_args(argv)
    ids = tuple(f"{int(e):02d}" for e in args.exercise) if args.exercise else DEFAULT_EXERCISES
    students = write_sample_class(args.out, ids)
    print(f"sample class: {', '.join(students)} → {args.out} (deadline {SAMPLE_DEADLINE.isoformat()})")


if __name__ == "__main__":
    main()
