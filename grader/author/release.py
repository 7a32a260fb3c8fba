"""`course release OUT`: the learner-facing copy of the course.

It holds the lessons, the stubs, the public checks and the CLI — no solutions, no hidden checks, no
test answers — and installs and works with the same two commands (`make demo`, `make test`). Its
README is the learner's (grader.author.learner_readme), not this repository's. The manifest in it
lists only the public checks' points and says `edition = "learner"`, which is how the copy knows it
is the learner's (`Course.is_learner_copy`: the CLI then offers only the learner's commands);
`course reset` restores stubs from `grader/pristine_stubs/`. `leaked_solution_text` proves nothing
of a solution survives.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from grader.author.learner_readme import learner_readme
from grader.checkfiles import check_names
from grader.manifest import LEARNER_EDITION, PACKAGE_DIR, load_course
from grader.solution_markers import solution_blocks

ROOT = PACKAGE_DIR.parent
COPIED = ["mkdocs.yml", "pyproject.toml", ".gitignore", "docs", "exercises", "grader"]
EXCLUDED_PARTS = {"__pycache__", "checks_hidden", "pristine_stubs", ".pytest_cache", "learner.mk"}
RELEASE_TESTS = ROOT / "tests" / "release"
LEARNER_MAKEFILE = PACKAGE_DIR / "author" / "learner.mk"  # only the targets a learner has a use for


def _ignore(directory: str, names: list[str]) -> set[str]:
    return {n for n in names if n in EXCLUDED_PARTS or n.endswith((".pyc", ".egg-info"))}


def public_manifest(text: str, hidden_names: set[str]) -> str:
    """The learner copy's manifest: without the points lines of hidden checks (their names are not
    public either), and with `edition = "learner"` in its `[course]` table."""
    kept = []
    for line in text.splitlines():
        if (m := re.match(r"\s*(test_\w+)\s*=", line)) and m.group(1) in hidden_names:
            continue
        if re.match(r"\s*edition\s*=", line):
            continue
        kept.append(line)
        if line.strip() == "[course]":
            kept.append(f'edition = "{LEARNER_EDITION}"   # this is the learner\'s copy, written by `course release`')
    return "\n".join(kept) + "\n"


def hidden_check_names() -> set[str]:
    return {name for exercise in load_course().exercises for name in check_names(exercise.hidden_checks)}


def write_release(out: Path) -> Path:
    """Write the learner release into `out` (which must not exist or be empty)."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} exists and is not empty")
    out.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, out / name, ignore=_ignore)
        elif source.is_file():
            shutil.copy2(source, out / name)
    course = load_course()
    shutil.copy2(LEARNER_MAKEFILE, out / "Makefile")
    (out / "README.md").write_text(learner_readme(course, ROOT / "docs", ROOT / "pyproject.toml"), encoding="utf-8")
    hidden = out / "grader" / "checks_hidden"
    hidden.mkdir()
    (hidden / "__init__.py").write_text('"""Hidden checks are not part of the learner release."""\n')
    manifest = out / "grader" / "course.toml"
    manifest.write_text(public_manifest(manifest.read_text(encoding="utf-8"), hidden_check_names()))
    shutil.copytree(ROOT / "exercises", out / "grader" / "pristine_stubs")
    shutil.copytree(RELEASE_TESTS, out / "tests", ignore=_ignore)
    for shared in ("conftest.py", "test_site.py"):  # the learner-safe parts of the main suite
        shutil.copy2(ROOT / "tests" / shared, out / "tests" / shared)
    (out / ".ci").mkdir()
    (out / ".ci" / "run").write_text("#!/usr/bin/env bash\nset -euo pipefail\ncd \"$(dirname \"$0\")/..\"\nmake test\n")
    (out / ".ci" / "run").chmod(0o755)
    return out


def _normalised(text: str) -> str:
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def leaked_solution_text(release: Path, solutions: Path = ROOT / "solutions") -> list[str]:
    """'file: exercise block N' for every solution block (or hidden check) whose text is in `release`."""
    corpus = {path: _normalised(path.read_text(encoding="utf-8", errors="replace"))
              for path in release.rglob("*") if path.is_file() and path.stat().st_size < 2_000_000}
    secrets = []
    for solution in sorted(solutions.glob("[0-9][0-9]_*.py")):
        for number, block in enumerate(solution_blocks(solution.read_text(encoding="utf-8")), start=1):
            secrets.append((f"{solution.name} block {number}", _normalised(block.text)))
    for path in sorted((PACKAGE_DIR / "checks_hidden").glob("test_*.py")):
        for match in re.finditer(r"^def (test_\w+)\(.*?(?=^def |\Z)", path.read_text(encoding="utf-8"), re.M | re.S):
            secrets.append((f"{path.name}:{match.group(1)}", _normalised(match.group(0))))
    return [f"{path.relative_to(release)}: {label}" for label, secret in secrets if secret
            for path, text in corpus.items() if secret in text]
