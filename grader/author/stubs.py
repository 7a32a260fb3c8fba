"""Generate the learner stubs in `exercises/` from the reference solutions in `solutions/` (the
marker format and the stub text are grader.solution_markers'). `stub_drift` reports every exercise
whose stub differs from what its solution generates."""

from __future__ import annotations

from pathlib import Path

from grader.solution_markers import make_stub


def stub_drift(solutions_dir: Path, exercises_dir: Path) -> list[str]:
    """Names of exercises whose stub is missing or differs from the one its solution generates."""
    drifted = []
    for solution in sorted(solutions_dir.glob("[0-9][0-9]_*.py")):
        stub = exercises_dir / solution.name
        expected = make_stub(solution.read_text(encoding="utf-8"), solution.name)
        if not stub.is_file() or stub.read_text(encoding="utf-8") != expected:
            drifted.append(solution.name)
    return drifted


def write_stubs(solutions_dir: Path, exercises_dir: Path) -> list[Path]:
    """(Re)generate every stub from its solution; return the files written."""
    exercises_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for solution in sorted(solutions_dir.glob("[0-9][0-9]_*.py")):
        target = exercises_dir / solution.name
        target.write_text(make_stub(solution.read_text(encoding="utf-8"), solution.name), encoding="utf-8")
        written.append(target)
    return written
