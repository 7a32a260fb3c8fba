"""The grader's imports point one way: each package imports only the layers below it, the checks
library imports nothing above it, no module imports another module's private names, and no group of
modules imports itself in a circle (lazy imports inside functions count too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "grader"

# layer -> the layers it may import (its own included). Core is the grader's top-level modules.
MAY_IMPORT = {
    "checks": {"checks"},
    "check files": {"checks", "core"},
    "core": {"checks", "core"},
    "learner": {"checks", "core", "learner"},
    "export": {"checks", "core", "export"},
    "author": {"checks", "core", "author", "learner"},  # the learner copy's README documents the learner's CLI
    "grade": {"checks", "core", "grade", "export", "similarity"},  # `grade --similarity` runs the comparison
    "similarity": {"checks", "core", "similarity", "grade", "export"},  # reads submissions as grading does
}
CHECKS_MAY_USE = {"grader", "grader.quiet", "grader.progress", "grader.manifest"}  # the core modules below checks
CLI_MODULES = {"grader.cli", "grader.__main__", "grader.learner.cli", "grader.author.commands",
               "grader.export.commands", "grader.grade.commands", "grader.similarity.commands"}  # each package's command line
SUBPACKAGES = {"checks", "learner", "author", "export", "grade", "similarity"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in ("checks_public", "checks_hidden"):
        return "check files"
    if len(parts) > 2 and parts[1] in SUBPACKAGES or len(parts) == 2 and parts[1] in SUBPACKAGES:
        return parts[1]
    return "core"


def is_cli(module: str) -> bool:
    return module in CLI_MODULES


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "__pycache__" not in p.parts}


def _type_checking_only(node: ast.AST, parents: dict) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def imports(module: str) -> list[tuple[str, list[str], int]]:
    """(imported grader module, names imported from it, line) for every import of `module` that runs."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if _type_checking_only(node, parents):
            continue
        if isinstance(node, ast.Import):
            found += [(a.name, [], node.lineno) for a in node.names if a.name.split(".")[0] == "grader"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "grader":
            names = [a.name for a in node.names]
            submodules = [n for n in names if f"{node.module}.{n}" in MODULES]
            if submodules:  # `from grader.checks import failure` imports the module grader.checks.failure
                found += [(f"{node.module}.{n}", [], node.lineno) for n in submodules]
            found.append((node.module, [n for n in names if n not in submodules], node.lineno))
    return [(target, names, line) for target, names, line in found if target in MODULES]


def may_import(module: str, target: str) -> bool:
    if layer(module) == "checks":
        return layer(target) == "checks" or target in CHECKS_MAY_USE
    return layer(target) in MAY_IMPORT[layer(module)]


def test_every_package_imports_only_the_layers_below_it():
    wrong = []
    for module in MODULES:
        if is_cli(module):
            continue
        for target, _, line in imports(module):
            if not may_import(module, target):
                wrong.append(f"{module}:{line} ({layer(module)}) imports {target} ({layer(target)})")
    assert wrong == []


def test_the_checks_library_imports_nothing_above_it():
    wrong = [f"{module}:{line} imports {target}" for module in MODULES if layer(module) == "checks"
             for target, _, line in imports(module) if layer(target) != "checks" and target not in CHECKS_MAY_USE]
    assert wrong == []


def test_no_module_imports_a_private_name_of_another():
    wrong = [f"{module}:{line} imports {name} from {target}" for module in MODULES
             for target, names, line in imports(module) for name in names
             if name.startswith("_") and not name.startswith("__") and target != module]
    assert wrong == []


def test_no_modules_import_each_other_in_a_circle():
    graph = {m: {t for t, _, _ in imports(m) if t != m and not (m.startswith(t + ".") and MODULES[t].name == "__init__.py")}
             for m in MODULES}
    cycles, index, low, stack, on_stack, counter = [], {}, {}, [], set(), [0]

    def visit(node):  # Tarjan's strongly connected components
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    assert cycles == []


@pytest.mark.parametrize("package", sorted(SUBPACKAGES))
def test_every_subpackage_says_what_its_job_is(package):
    doc = ast.get_docstring(ast.parse((PACKAGE / package / "__init__.py").read_text(encoding="utf-8")))
    assert doc and len(doc.split()) >= 5, f"grader/{package}/__init__.py needs a docstring saying its job"


# A fact spelled out where it is defined only: the label rule, the notebook name, the stub's placeholder.
ONE_HOME = {  # as ast.unparse spells it
    "removeprefix('test_')": "grader/manifest.py",  # check_label
    "removesuffix('.py')": "grader/manifest.py",  # Exercise.stem (and so notebook_name)
    "# YOUR CODE HERE": "grader/solution_markers.py",  # STUB_PLACEHOLDER
    "'hidden check": "grader/manifest.py",  # HIDDEN_CHECK, hidden_check_label
}


@pytest.mark.parametrize("spelling", sorted(ONE_HOME))
def test_a_fact_is_spelled_out_in_its_home_only(spelling):
    root = PACKAGE.parent
    sources = [*PACKAGE.rglob("*.py"), *(root / "docs" / "hooks").glob("*.py")]
    homes = {str(p.relative_to(root)) for p in sources
             if "__pycache__" not in p.parts and spelling in _code_only(p.read_text(encoding="utf-8"))}
    assert homes == {ONE_HOME[spelling]}, homes


def _code_only(text: str) -> str:
    """The text without docstrings and comments (they may name a fact without defining it)."""
    tree = ast.parse(text)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) and \
                ast.get_docstring(node, clean=False) is not None:
            node.body = node.body[1:] or [ast.Pass()]
    return ast.unparse(tree)
