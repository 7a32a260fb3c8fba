"""`course gradescope bundle OUT.zip`: a Gradescope autograder (setup.sh, run_autograder, the course).

On Gradescope, `setup.sh` installs the course (with its hidden checks and reference solutions, which
stay on the autograder) and `run_autograder` grades `/autograder/submission` with `course grade`,
then copies that student's `results.json` to `/autograder/results/`. `AUTOGRADER_ROOT` overrides
`/autograder`, which is how the tests run the bundle locally.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from grader.manifest import PACKAGE_DIR

ROOT = PACKAGE_DIR.parent
SOURCES = ["pyproject.toml", "README.md", "grader", "solutions", "exercises"]

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once when building the autograder image.
set -euo pipefail
apt-get update -qq && apt-get install -y -qq python3-venv python3-pip bubblewrap >/dev/null || true
python3 -m venv /opt/course-venv
/opt/course-venv/bin/pip install --quiet /autograder/source
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for each submission; results.json is the only output it reads.
set -uo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
COURSE="${COURSE_BIN:-/opt/course-venv/bin/course}"
OUT="$(mktemp -d)"
mkdir -p "$ROOT/results"
cd "$ROOT/source"
if "$COURSE" grade "$ROOT/submission" --out "$OUT" --workers 1 --json > "$OUT/log.jsonl" 2> "$OUT/errors.txt"; then
  cp "$OUT"/gradescope/*/results.json "$ROOT/results/results.json"
else
  printf '{"score": 0, "output": "The autograder could not run; please tell the course staff.", "tests": []}\\n' \\
    > "$ROOT/results/results.json"
fi
"""


def write_bundle(target: Path) -> Path:
    """Write the autograder zip to `target`."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o755 << 16
            bundle.writestr(info, text)
        for name in SOURCES:
            path = ROOT / name
            files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
            for file in files:
                if "__pycache__" in file.parts or file.suffix == ".pyc":
                    continue
                bundle.write(file, f"source/{file.relative_to(ROOT)}")
    return target
