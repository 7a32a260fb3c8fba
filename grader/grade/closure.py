"""The static import closure of some of the grader's modules: which of its files can run when they run.

Read from the source with `ast`, never by importing: every `import` and `from … import` statement
(those inside functions too, where the grader imports lazily), the packages a module's import runs
(`grader/__init__.py`, `grader/checks/__init__.py`, …), and modules named in a string that is exactly
a grader module's dotted name (`set_forkserver_preload(["grader.grade.preload"])`). Module names are
resolved inside the given package folder only, never through `sys.path`, so a folder that happens to
be on the path (the current directory, a class's submissions) cannot stand in for one of them.
Imports of other top-level names (`keras`, `numpy`) are collected as external names.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

_DOTTED = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+")


@dataclass(frozen=True)
class Closure:
    """The grader files reached (absolute paths) and the external top-level module names they import."""

    files: frozenset[Path]
    external: frozenset[str]


class PackageModules:
    """The modules of one package folder (its name is the folder's name), read once each."""

    def __init__(self, package_dir: Path) -> None:
        self.root = Path(package_dir).resolve()
        self.name = self.root.name
        self._edges: dict[Path, tuple[frozenset[Path], frozenset[str]]] = {}
        self._trees: dict[Path, ast.Module] = {}

    def module_name(self, path: Path) -> str:
        """The dotted name of the module at `path` (a package's `__init__.py` names the package)."""
        parts = list(Path(path).resolve().relative_to(self.root).with_suffix("").parts)
        if parts and parts[-1] == "__init__":
            parts.pop()
        return ".".join([self.name, *parts])

    def file_of(self, name: str) -> Path | None:
        """The file of the module or package `name` inside the package folder, or None."""
        parts = name.split(".")
        if parts[0] != self.name:
            return None
        base = self.root.joinpath(*parts[1:])
        for candidate in (base.with_suffix(".py") if parts[1:] else None, base / "__init__.py"):
            if candidate is not None and candidate.is_file():
                return candidate
        return None

    def with_packages(self, name: str) -> list[Path]:
        """The files an import of `name` runs: each enclosing package's `__init__.py`, then the module's."""
        parts = name.split(".")
        files = [self.file_of(".".join(parts[:i])) for i in range(1, len(parts) + 1)]
        return [f for f in files if f is not None]

    def tree(self, path: Path) -> ast.Module:
        """The parsed source of the file at `path` (parsed once)."""
        path = Path(path).resolve()
        if path not in self._trees:
            self._trees[path] = ast.parse(path.read_bytes(), str(path))
        return self._trees[path]

    def edges(self, path: Path) -> tuple[frozenset[Path], frozenset[str]]:
        """What the module at `path` imports: grader files, and external top-level names."""
        path = Path(path).resolve()
        if path not in self._edges:
            self._edges[path] = self._read(path)
        return self._edges[path]

    def _read(self, path: Path) -> tuple[frozenset[Path], frozenset[str]]:
        tree = self.tree(path)
        own = self.module_name(path)
        package = own if path.name == "__init__.py" else own.rpartition(".")[0]
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(node, package)
                if base is None:
                    continue
                names.add(base)
                names.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
            elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
                  and node.value.startswith(f"{self.name}.") and _DOTTED.fullmatch(node.value)):
                names.add(node.value)
        files: set[Path] = set()
        external: set[str] = set()
        for name in names:
            top = name.split(".")[0]
            if top == self.name:
                # `from grader.checks import expect_model` names a function, not a module: only what exists counts
                files.update(self.with_packages(name))
            elif top not in sys.stdlib_module_names and top != "__future__":
                external.add(top)
        return frozenset(files), frozenset(external)


def _absolute(node: ast.ImportFrom, package: str) -> str | None:
    """The absolute module name of a `from … import` (relative ones resolved against `package`)."""
    if not node.level:
        return node.module
    parts = package.split(".")
    if node.level - 1 > len(parts) - 1:
        return None
    base = ".".join(parts[: len(parts) - (node.level - 1)])
    return f"{base}.{node.module}" if node.module else base


def import_closure(modules: PackageModules, roots: list[Path]) -> Closure:
    """Every grader file that importing the modules at `roots` (with their packages) can run."""
    seen: set[Path] = set()
    external: set[str] = set()
    stack = [f for root in roots for f in modules.with_packages(modules.module_name(root))]
    while stack:
        path = stack.pop().resolve()
        if path in seen:
            continue
        seen.add(path)
        files, names = modules.edges(path)
        external |= names
        stack.extend(files - seen)
    return Closure(frozenset(seen), frozenset(external))
