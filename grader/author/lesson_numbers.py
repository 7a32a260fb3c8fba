"""The numbers a lesson page quotes in its prose, tables and drawings, and whether they hold.

Two kinds of quoted number are checked (tests/test_lesson_text.py):

- **Arithmetic.** Every chain of equalities between arithmetic expressions, wherever it stands on
  the page (`784·128 + 128 = 100,480`, `0 + 2,080 + 330 = **2,410**`, `28·28·3 = 2,352`), must be
  true, and so must every table row that puts an expression in one cell and its value in the next
  (`| 3·2 + 2 | 8 |`). `·` and `×` multiply, `−` subtracts, `//` divides rounding down, and `,`
  groups thousands. A chain whose first expression continues an expression the scanner cannot read
  (`(1² + 2²) / 2 = 2.5`) is skipped, not guessed at.
- **Large figures.** Every number written with a thousands separator (`101,770`) must be accounted
  for: the value of a claim the page's code checked against Keras (grader.author.lesson_code), a
  number in a printed block that matched what Keras printed, a term or result of a true equation on
  the page, or a figure the page names as not computed by Keras (a dataset's size, say) in a
  `<!-- docs-check: figures 60,000 12,000 (why) -->` comment.

So a figure in the prose cannot be changed alone: the equation it ends, or the Keras value it
repeats, no longer agrees.
"""

from __future__ import annotations

import ast
import operator
import re
from dataclasses import dataclass

_OPERAND = r"[0-9.,()·×*+−\-/ ]"
_CHAIN = re.compile(rf"{_OPERAND}*(?:={_OPERAND}+)+")
_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d]|,\d)")
_LARGE = re.compile(r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?![\w]|,\d|\.\d)")
_FIGURES = re.compile(r"<!--\s*docs-check:\s*figures\s+(?P<body>.*?)-->", re.S)
_CONTINUES = set("·×*+−-/²³^")
_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
              ast.FloorDiv: operator.floordiv, ast.Div: operator.truediv}


@dataclass(frozen=True)
class Equation:
    """A quoted equality: its line on the page, its text, and the value of each side (None: unreadable)."""

    line: int
    text: str
    values: tuple[float, ...]

    @property
    def holds(self) -> bool:
        return all(abs(value - self.values[0]) <= 1e-9 * max(1.0, abs(value)) for value in self.values)


def _normal(text: str) -> str:
    text = _THOUSANDS.sub(lambda m: m.group(0).replace(",", ""), text)
    return text.replace("·", "*").replace("×", "*").replace("−", "-")


def _evaluate(node: ast.AST) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_evaluate(node.operand)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_evaluate(node.left), _evaluate(node.right))
    raise ValueError("not arithmetic")


def value_of(text: str) -> float | None:
    """The value of an arithmetic expression as the lessons write it, or None if it is not one."""
    source = _normal(text).strip()
    if not source or "," in source:
        return None
    try:
        return _evaluate(ast.parse(source, mode="eval").body)
    except (SyntaxError, ValueError, ZeroDivisionError, RecursionError):
        return None


def _is_computation(text: str) -> bool:
    """The expression computes something (it has a binary operator), rather than just being a number."""
    try:
        tree = ast.parse(_normal(text).strip(), mode="eval")
    except SyntaxError:
        return False
    return any(isinstance(node, ast.BinOp) for node in ast.walk(tree))


def _longest(text: str, *, from_end: bool) -> tuple[str, float] | None:
    """The longest readable expression at the end (or the start) of `text`, cut next to a space, bracket
    or comma; None if even that one continues an operation the scanner cannot read (`2²) / 2`)."""
    if from_end:
        cuts = [i for i in range(len(text)) if i == 0 or text[i - 1] in " (" or text[i] == "("]
        pieces = [(text[i:], text[:i].rstrip()[-1:]) for i in cuts]
    else:
        cuts = [i for i in range(len(text), 0, -1) if i == len(text) or text[i] in " )," or text[i - 1] == ")"]
        pieces = [(text[:i], text[i:].lstrip()[:1]) for i in cuts]
    for piece, neighbour in pieces:
        if piece.strip() and (value := value_of(piece)) is not None:
            return None if neighbour and neighbour in _CONTINUES else (piece.strip(), value)
    return None


def equations(markdown: str) -> list[Equation]:
    """Every equality chain and every expression-then-value table row on the page, in reading order."""
    found: list[Equation] = []
    for number, raw in enumerate(markdown.splitlines(), start=1):
        line = raw.replace("**", "").replace("`", "")
        for match in _CHAIN.finditer(line):
            parts = match.group(0).split("=")
            if any(not part.strip() for part in parts):
                continue
            first = _longest(parts[0], from_end=True)
            last = _longest(parts[-1], from_end=False)
            middle = [value_of(part) for part in parts[1:-1]]
            if first is None or last is None or None in middle:
                continue
            glued = line[match.start() - 1:match.start()] if match.start() else ""
            if parts[0].startswith(first[0]) and glued and (glued.isalnum() or glued in _CONTINUES or glued in "_^"):
                continue  # the left side continues a name or an expression the scanner cannot read (`x2`, `2²`)
            texts = [first[0], *(part.strip() for part in parts[1:-1]), last[0]]
            if not any(_is_computation(text) for text in texts):
                continue
            found.append(Equation(number, " = ".join(texts), (first[1], *middle, last[1])))
        if line.lstrip().startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            for left, right in zip(cells, cells[1:], strict=False):
                if _is_computation(left) and (a := value_of(left)) is not None \
                        and (b := value_of(right)) is not None and _normal(right).strip().replace(".", "").isdigit():
                    found.append(Equation(number, f"{left} = {right}", (a, b)))
    return found


def large_figures(markdown: str) -> list[tuple[int, int]]:
    """Every number written with a thousands separator, as (line, value), outside docs-check comments."""
    hidden = _hidden_spans(markdown)
    return [(markdown.count("\n", 0, m.start()) + 1, int(m.group(0).replace(",", "")))
            for m in _LARGE.finditer(markdown) if not any(a <= m.start() < b for a, b in hidden)]


def _hidden_spans(markdown: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"<!--.*?-->", markdown, re.S)]


def named_figures(markdown: str) -> set[int]:
    """The figures a page declares as not computed by Keras (`<!-- docs-check: figures … -->`)."""
    return {int(m.group(0).replace(",", "")) for block in _FIGURES.finditer(markdown)
            for m in re.finditer(r"\d[\d,]*", block.group("body").split("(")[0])}


def numbers_in(value: object) -> set[int]:
    """The whole numbers inside a plain value (nested lists and tuples), or in a printed text."""
    if isinstance(value, bool):
        return set()
    if isinstance(value, int):
        return {value}
    if isinstance(value, float):
        return {int(value)} if value.is_integer() else set()
    if isinstance(value, (list, tuple)):
        return set().union(*(numbers_in(item) for item in value)) if value else set()
    if isinstance(value, str):
        return {int(m.group(0).replace(",", "")) for m in re.finditer(r"\d[\d,]*\d|\d", value)}
    return set()


def unaccounted_figures(markdown: str, checked: set[int]) -> list[tuple[int, int]]:
    """The large figures (line, value) that are neither in `checked` (the numbers the page's code and
    printed blocks showed Keras gives), nor a term of a true equation on the page, nor named by the page."""
    known = set(checked) | named_figures(markdown)
    for equation in equations(markdown):
        if equation.holds:
            known |= {int(v) for v in equation.values if float(v).is_integer()}
            known |= {int(t.replace(",", "")) for t in re.findall(r"\d{1,3}(?:,\d{3})+", equation.text)}
    return [(line, value) for line, value in large_figures(markdown) if value not in known]
