"""A submitted notebook as Python source (how the checks load a notebook the learner submitted).

`notebook_to_source` turns a notebook's code cells into one Python source: cells that only import the grader or call `check(...)` (nbgrader test cells, learners' check cells) are
left out, IPython line magics and shell escapes are commented out where a statement starts (a `%%time` or
`%%capture` cell keeps its Python, other cell magics are left out), and each cell is introduced by a
`# cell N` comment so that an error's line still reads as code the learner wrote.
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import nbformat

from grader.checks.failure import error_lines

_GRADER_CALLS = {"check", "check_exercise"}


class NotebookError(ValueError):
    """A file is not a readable Jupyter notebook; the message says why in the learner's terms."""


def notebook_to_source(path: Path) -> str:
    """The Python source a notebook's code cells amount to (see the module docstring).

    Raises NotebookError if `path` is not valid notebook JSON or a code cell has no source.
    """
    path = Path(path)
    try:
        notebook = nbformat.read(path, as_version=4)
    except (OSError, UnicodeDecodeError) as error:
        raise NotebookError(f"{path.name} cannot be read: {error}") from None
    except Exception as error:  # noqa: BLE001 - nbformat raises several JSON/validation errors
        raise NotebookError(f"{path.name} is not a valid Jupyter notebook ({error_lines(error)})") from None
    parts = []
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise NotebookError(f"{path.name} is not a valid Jupyter notebook (it has no list of cells)")
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        if not isinstance(cell.get("source"), str):
            raise NotebookError(f"{path.name} is not a valid Jupyter notebook (code cell {number} has no source)")
        source = _without_magics(cell["source"])
        if source is None or _only_calls_the_grader(source):
            continue
        parts.append(f"# cell {number}\n{source.rstrip()}\n")
    return "\n\n".join(parts)


# Cell magics that run the cell's own Python in the notebook's namespace, as a plain cell would (%%timeit runs
# it inside a timing function, so its definitions stay there; %%bash, %%writefile, %%html run no Python).
_PYTHON_CELL_MAGICS = {"time", "capture"}


def _without_magics(source: str) -> str | None:
    """The cell as Python: line magics and shell escapes (`%…`, `!…` where a statement starts) commented out,
    a `%%time` or `%%capture` cell's body kept, and None for any other cell magic. A `%` or `!` that
    continues an expression (`x = (7\n% 5)`) or lies inside a string stays, as IPython reads it."""
    first, _, body = source.lstrip().partition("\n")
    if first.startswith("%%"):
        name = first[2:].split()[0] if first[2:].split() else ""
        return _without_magics(body) if name in _PYTHON_CELL_MAGICS else None
    starts = _statement_starts(source)
    lines = []
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.lstrip()
        magic = stripped[:1] in {"%", "!"} and (starts is None or number in starts)
        lines.append(f"{line[: len(line) - len(stripped)]}# {stripped}" if magic else line)
    return "\n".join(lines)


def _statement_starts(source: str) -> set[int] | None:
    """The numbers of the lines where a statement may start (not inside brackets, a string or after a
    backslash), from Python's tokenizer; None when it cannot read the cell (then every line may)."""
    starts, depth = {1}, 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.OP and token.string in "([{":
                depth += 1
            elif token.type == tokenize.OP and token.string in ")]}":
                depth = max(depth - 1, 0)
            elif token.type in (tokenize.NEWLINE, tokenize.NL) and depth == 0:
                starts.add(token.end[0] + 1)
    except (tokenize.TokenError, SyntaxError):
        return None
    return starts


def _only_calls_the_grader(source: str) -> bool:
    """True for a cell that only imports the grader and calls check(...): it checks, it is no answer."""
    try:
        statements = ast.parse(source).body
    except SyntaxError:
        return False  # keep it: the learner should hear about the syntax error
    if not statements:
        return False
    return all(_is_grader_statement(statement) for statement in statements)


def _is_grader_statement(node: ast.stmt) -> bool:
    if isinstance(node, ast.Import):
        return all(alias.name.split(".")[0] == "grader" for alias in node.names)
    if isinstance(node, ast.ImportFrom):
        return (node.module or "").split(".")[0] == "grader"
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        func = node.value.func
        if isinstance(func, ast.Name):
            return func.id in _GRADER_CALLS
        if isinstance(func, ast.Attribute):
            root = func
            while isinstance(root, ast.Attribute):
                root = root.value
            return func.attr in _GRADER_CALLS and isinstance(root, ast.Name) and root.id == "grader"
    return False
