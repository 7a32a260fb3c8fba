"""Load a learner's exercise file and call into it, turning every way it can fail into a CheckFailure.

A syntax error, an exception while the module runs, a missing function, an untouched stub
(NotImplementedError) or a crash inside the learner's function all become one readable message
naming the file and line — never a traceback wall.
"""

from __future__ import annotations

import importlib.util
import itertools
import linecache
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from grader.checks.failure import CheckFailure, NotImplementedYet, error_summary
from grader.quiet import rephrase_warnings

if TYPE_CHECKING:
    from grader.checks.scenario import Facts, Scenario

_counter = itertools.count()


class Submission:
    """A learner's exercise file, loaded as a module.

    `path` is the file; `exercise_id` the manifest id it answers; `notes` collects learner-facing
    notes (rephrased warnings) raised while loading or calling it.
    """

    def __init__(self, path: Path, exercise_id: str, module: ModuleType) -> None:
        self.path = path
        self.exercise_id = exercise_id
        self.module = module
        self.notes: list[str] = []

    @property
    def display_name(self) -> str:
        return self.path.name

    def get(self, name: str, kind: str = "function") -> Any:
        """The object `name` defined by the file; CheckFailure if it is missing."""
        try:
            return getattr(self.module, name)
        except AttributeError:
            defined = sorted(
                n for n, v in vars(self.module).items() if not n.startswith("_") and callable(v)
                and getattr(v, "__module__", None) == self.module.__name__
            )
            raise CheckFailure(
                f"{self.display_name} defines no {kind} `{name}`",
                expected=f"a {kind} named `{name}`",
                got=", ".join(f"`{n}`" for n in defined) or "nothing of the kind",
                hint="keep the names from the exercise stub; the checks call them by name",
            ) from None

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call the learner's `name(*args, **kwargs)`; any failure becomes a CheckFailure."""
        return self.invoke(self.get(name), f"{name}()", *args, **kwargs)

    def not_implemented(self, label: str) -> NotImplementedYet:
        """The failure for `label` still raising NotImplementedError (an untouched stub)."""
        return NotImplementedYet(
            f"`{label}` in {self.display_name} is not implemented yet (it still raises NotImplementedError)",
            hint=f"replace the `raise NotImplementedError` lines; `course hint {int(self.exercise_id)}` gives a nudge",
        )

    def run(self, scenario: Scenario) -> Facts:
        """Play a scenario on the learner's classes here, in this process (see grader.checks.scenario)."""
        from grader.checks.scenario import Facts, play

        return Facts(play(self, scenario.steps))

    def invoke(self, fn: Any, label: str, *args: Any, **kwargs: Any) -> Any:
        """Call any learner-provided callable (a function, a class, a method) with readable failures."""
        try:
            with rephrase_warnings(self.notes):
                return fn(*args, **kwargs)
        except CheckFailure:
            raise
        except NotImplementedError:
            raise self.not_implemented(label) from None
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as error:  # noqa: BLE001 - anything the learner's code raises
            raise CheckFailure(
                f"`{label}` raised {type(error).__name__}: {error_summary(str(error))}",
                why=_where(error, self.path),
                hint="read the error above; the line shown is where it happened",
            ) from None


def load_submission(path: Path, exercise_id: str) -> Submission:
    """Import the learner's file at `path` as a fresh module (never cached in sys.modules).

    A `.ipynb` file is a notebook: its code cells, without the grader's own check cells, are the
    module's source (see grader.export.notebooks.notebook_to_source).
    """
    path = Path(path)
    if not path.is_file():
        raise CheckFailure(
            f"no file {path}",
            hint="submit the exercise under the same file name as the stub in exercises/",
        )
    source = _notebook_source(path) if path.suffix == ".ipynb" else _text(path)
    try:
        code = compile(source, str(path), "exec")
    except SyntaxError as error:
        shown = (error.text or "").rstrip()
        raise CheckFailure(
            f"{path.name} does not compile: {error.msg} (line {error.lineno})",
            why=f"line {error.lineno}: {shown.strip()}" if shown else None,
            hint="fix the syntax error; the rest of the checks run once the file compiles",
        ) from None
    name = f"_course_submission_{exercise_id}_{next(_counter)}"
    spec = importlib.util.spec_from_loader(name, loader=None, origin=str(path))
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    module.__file__ = str(path)
    submission = Submission(path, exercise_id, module)
    try:
        with rephrase_warnings(submission.notes):
            exec(code, module.__dict__)  # noqa: S102 - running the learner's file is the point
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # noqa: BLE001
        raise CheckFailure(
            f"{path.name} raised {type(error).__name__} while it was being imported: "
            f"{error_summary(str(error))}",
            why=_where(error, path),
            hint="code at the top level of the file runs on import; move work into the functions",
        ) from None
    sys.modules.pop(name, None)
    return submission


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CheckFailure(f"{path.name} is not UTF-8 text", hint="save the file as UTF-8") from None


def _notebook_source(path: Path) -> str:
    """A notebook's code cells as Python source, registered with linecache so errors can quote it."""
    from grader.checks.notebook_source import NotebookError, notebook_to_source

    try:
        source = notebook_to_source(path)
    except NotebookError as error:
        raise CheckFailure(
            str(error),
            hint="open it in Jupyter and save it again, or delete it and run `course notebooks` to "
            "rebuild it from your exercise file",
        ) from None
    # mtime None: linecache keeps the entry, so tracebacks show the notebook's code, not its JSON
    linecache.cache[str(path)] = (len(source), None, source.splitlines(keepends=True), str(path))
    return source


def _where(error: BaseException, path: Path) -> str | None:
    """'line N of FILE: source' for the innermost frame inside the learner's file, if any."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename) == path]
    if not frames:
        return None
    frame = frames[-1]
    line = (frame.line or linecache.getline(frame.filename, frame.lineno or 0)).strip()
    return f"at line {frame.lineno} of {path.name}: {line}"
