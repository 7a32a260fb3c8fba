"""Which checks a check file defines, read from its source without importing it (no TensorFlow)."""

from __future__ import annotations

import ast
from pathlib import Path


def check_names(check_file: Path) -> list[str]:
    """The names of the checks (top-level `test_*` functions) in `check_file`, in file order; [] if absent."""
    path = Path(check_file)
    if not path.is_file():
        return []
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return [node.name for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")]
