"""Writes fake result files wherever it can, then fails."""
import json
import os
from pathlib import Path

fake = {"student": "fake_results", "total": 999, "exercises": {}, "checks": [{"outcome": "passed", "points": 999}]}
for folder in [Path.cwd(), Path("/tmp"), *Path("/").glob("tmp/**/students")]:
    try:
        (folder / "fake_results.json").write_text(json.dumps(fake))
        (folder / "results.json").write_text(json.dumps(fake))
        (folder / "forged.json").write_text(json.dumps(fake))  # a name the grader never writes itself
        (folder / "alice.json").write_text(json.dumps({**fake, "student": "alice"}))  # a classmate's record
    except OSError:
        pass
for env in ("COURSE_RESULTS", "OUT"):
    if env in os.environ:
        Path(os.environ[env]).write_text(json.dumps(fake))


def build_model():
    return None
