"""The code in the lesson pages, as a program: find it, run it, and compare it with what the text claims.

A lesson page is read in order as a list of items:

- every fenced ```` ```python ```` block (also inside tabs and admonitions) is code to run, in one
  namespace per page, unless the line before it is `<!-- docs-check: skip (why) -->`;
- `<!-- docs-check: prelude` … `-->` is code the reader does not see (a model "from lesson 4", small
  stand-in data) that runs at that point;
- `<!-- docs-check: prints EXPR -->` before a ```` ```text ```` block says the block is what `EXPR`
  prints (a `model.summary()` table, say);
- `<!-- diagram: NAME caption -->` asks for a drawing of the model bound to `NAME` at that point
  (the docs hook draws it; see grader.author.diagrams).

Inside a code block, a trailing comment is a claim the runner checks on that line:

- `# SomeError: text … more text` — the statement must raise an exception of that class whose
  message contains each piece of text between the `…` (or `...`); `# SomeWarning …` — it must emit
  a warning of that class;
- `# <Python literal>` (up to `:`, `;`, ` —`, ` =`, ` (`, two spaces or the end) on an expression
  statement — its value must equal the literal (numbers to the literal's own precision, shapes as
  tuples, arrays element-wise). Comments that are not a literal (`# e.g. …`) are prose.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
import textwrap
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

MARKER = "docs-check"
_FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[A-Za-z0-9_+-]*)[^\n]*$")
_SKIP = re.compile(rf"<!--\s*{MARKER}:\s*skip\b(?P<why>.*?)-->")
_PRINTS = re.compile(rf"<!--\s*{MARKER}:\s*prints\s+(?P<expr>.+?)\s*-->")
_PRELUDE = re.compile(rf"<!--\s*{MARKER}:\s*prelude\s*\n(?P<code>.*?)-->", re.S)
_DIAGRAM = re.compile(r"<!--\s*diagram:\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<caption>.*?)\s*-->")
_ERROR_COMMENT = re.compile(r"^(?P<name>[A-Z][A-Za-z]*(Error|Exception|Warning))\b")
_LITERAL_END = re.compile(r":|;| —| =| \(|  ")


@dataclass(frozen=True)
class CodeBlock:
    """A fenced python block: its text (dedented), its first line in the page, and why it is skipped."""

    source: str
    line: int
    skip: str | None = None
    hidden: bool = False  # a prelude: run, but not shown to readers


@dataclass(frozen=True)
class PrintedBlock:
    """A text block that the page says `expression` prints."""

    expression: str
    text: str
    line: int


@dataclass(frozen=True)
class DiagramMarker:
    """`<!-- diagram: name caption -->`: draw the model bound to `name` here."""

    name: str
    caption: str
    line: int
    marker: str  # the comment's exact text, which the docs hook replaces


Item = CodeBlock | PrintedBlock | DiagramMarker


@dataclass
class Claim:
    """One checked statement: where it is, what the text says, and what running it gave."""

    line: int
    statement: str
    expected: str
    got: str
    ok: bool


@dataclass
class PageRun:
    """What running one page's code produced: the claims checked, and the first error if any."""

    claims: list[Claim] = field(default_factory=list)
    error: str | None = None

    @property
    def failures(self) -> list[Claim]:
        return [claim for claim in self.claims if not claim.ok]


def page_items(markdown: str) -> list[Item]:
    """The runnable items of a page, in reading order."""
    items: list[tuple[int, Item]] = []
    lines = markdown.splitlines()
    for match in _PRELUDE.finditer(markdown):
        line = markdown.count("\n", 0, match.start()) + 1
        items.append((line, CodeBlock(textwrap.dedent(match.group("code")), line, hidden=True)))
    for match in _DIAGRAM.finditer(markdown):
        line = markdown.count("\n", 0, match.start()) + 1
        items.append((line, DiagramMarker(match.group("name"), match.group("caption"), line, match.group(0))))
    index = 0
    while index < len(lines):
        fence = _FENCE.match(lines[index])
        if not fence or not fence.group("lang"):
            index += 1
            continue
        indent, lang, start = fence.group("indent"), fence.group("lang"), index
        end = index + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        body = "\n".join(line[len(indent):] if line.startswith(indent) else line.lstrip()
                         for line in lines[start + 1:end])
        previous = next((lines[i].strip() for i in range(start - 1, -1, -1) if lines[i].strip()), "")
        if lang == "python":
            skip = _SKIP.search(previous)
            items.append((start + 1, CodeBlock(body + "\n", start + 1, (skip.group("why").strip() or "skipped")
                                               if skip else None)))
        elif lang == "text" and (prints := _PRINTS.search(previous)):
            items.append((start + 1, PrintedBlock(prints.group("expr"), body, start + 1)))
        index = end + 1
    return [item for _, item in sorted(items, key=lambda pair: pair[0])]


def literal_claim(comment: str) -> tuple[object, str] | None:
    """The Python literal a trailing comment starts with, and its text; None for prose."""
    text = comment.strip()
    cuts = sorted({m.start() for m in _LITERAL_END.finditer(text)} | {len(text)})
    for cut in cuts:
        candidate = text[:cut].strip()
        if not candidate:
            continue
        try:
            return ast.literal_eval(candidate), candidate
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
    return None


def plain(value: object) -> object:
    """A value as plain Python: tensors and arrays as (nested) lists or scalars, shapes as tuples."""
    import numpy as np

    if hasattr(value, "as_list") and callable(value.as_list):  # tf.TensorShape
        return tuple(value.as_list())
    if hasattr(value, "numpy") and callable(value.numpy):
        value = value.numpy()
    if isinstance(value, np.ndarray):
        return value.item() if value.ndim == 0 else value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return tuple(plain(v) for v in value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def _decimals(text: str) -> int:
    found = [len(m.group(1)) for m in re.finditer(r"\d\.(\d*)", text)]
    return max(found, default=0)


def matches(got: object, expected: object, tolerance: float) -> bool:
    """`got` equals `expected`: sequences element-wise (lists and tuples alike), numbers within `tolerance`."""
    got = plain(got)
    if isinstance(expected, bool) or expected is None or isinstance(expected, str):
        return got == expected and type(got) is type(expected)
    if isinstance(expected, (int, float)):
        return isinstance(got, (int, float)) and not isinstance(got, bool) and abs(got - expected) <= tolerance
    if isinstance(expected, (list, tuple)):
        return (isinstance(got, (list, tuple)) and len(got) == len(expected)
                and all(matches(g, e, tolerance) for g, e in zip(got, expected, strict=True)))
    return got == expected


def _trailing_comments(source: str) -> dict[int, str]:
    import tokenize

    comments: dict[int, str] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = token.string.lstrip("#").strip()
    return comments


def _squash(text: str) -> str:
    return " ".join(re.sub(r"\x1b\[[0-9;]*m", "", text).split())


def _quotes_message(error: Exception, comment: str | None, statement: ast.stmt, comments: dict[int, str]) -> bool:
    """Every piece of the comment's quoted message (split at … or ...) is in the error's message."""
    lines = range(statement.lineno, (statement.end_lineno or statement.lineno) + 1)
    claim = next((comments[n] for n in lines if _exception_claim(comments.get(n))), comment or "")
    quoted = claim.split(":", 1)[1] if ":" in claim else ""
    message = _squash(str(error))
    return all(_squash(piece) in message for piece in re.split(r"\.\.\.|…", quoted) if piece.strip())


def _exception_claim(comment: str | None) -> str | None:
    match = _ERROR_COMMENT.match(comment or "")
    return match.group("name") if match else None


def run_block(block: CodeBlock, namespace: dict, run: PageRun) -> None:
    """Run one block statement by statement, checking each line's claims; stop at the first surprise."""
    tree = ast.parse(block.source)
    comments = _trailing_comments(block.source)
    for statement in tree.body:
        last = statement.end_lineno or statement.lineno
        comment = comments.get(last) or comments.get(statement.lineno)
        where = block.line + statement.lineno
        text = ast.get_source_segment(block.source, statement) or ""
        raises = next(filter(None, (_exception_claim(comments.get(n)) for n in range(statement.lineno, last + 1))), None)
        warns, raises = (raises, None) if raises and raises.endswith("Warning") else (None, raises)
        is_expression = isinstance(statement, ast.Expr)
        code = compile(ast.Expression(statement.value) if is_expression else ast.Module([statement], []),
                       f"<lesson line {where}>", "eval" if is_expression else "exec")
        try:
            with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                value = eval(code, namespace)  # noqa: S307 - the course's own lesson text
        except Exception as error:  # noqa: BLE001 - reported as a claim
            names = {cls.__name__ for cls in type(error).__mro__}
            ok = raises in names and _quotes_message(error, comment, statement, comments) if raises else False
            run.claims.append(Claim(where, text, f"raises {raises}" if raises else "runs",
                                    f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}", ok))
            if not ok:
                return
            continue
        if raises:
            run.claims.append(Claim(where, text, f"raises {raises}", "no exception", False))
            continue
        if warns:
            emitted = sorted({w.category.__name__ for w in caught})
            ok = any(warns in {c.__name__ for c in w.category.__mro__} for w in caught)
            run.claims.append(Claim(where, text, f"warns {warns}", ", ".join(emitted) or "no warning", ok))
            continue
        if is_expression and comment and (claim := literal_claim(comment)) is not None:
            expected, literal = claim
            tolerance = max(1e-6, 0.5 * 10 ** -_decimals(literal)) if _decimals(literal) else 1e-6
            ok = matches(value, expected, tolerance)
            run.claims.append(Claim(where, text, literal, repr(plain(value))[:300], ok))


def run_printed(block: PrintedBlock, namespace: dict, run: PageRun) -> None:
    """Compare a text block with what its expression prints (trailing spaces ignored)."""
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer):
            eval(block.expression, namespace)  # noqa: S307 - the course's own lesson text
    except Exception as error:  # noqa: BLE001 - reported as a claim
        run.claims.append(Claim(block.line, block.expression, "prints the block", repr(error), False))
        return
    normal = lambda text: "\n".join(line.rstrip() for line in text.strip("\n").splitlines())  # noqa: E731
    got, expected = normal(buffer.getvalue()), normal(block.text)
    run.claims.append(Claim(block.line, block.expression, expected, got, got == expected))


def run_page(markdown: str, on_diagram: Callable[[DiagramMarker, object], None] | None = None) -> PageRun:
    """Run a page's code in one fresh namespace and Keras session, in a temporary working folder (a page
    may save files, as `model.save("name.keras")`); call `on_diagram` at each marker."""
    import contextlib
    import tempfile

    import keras

    keras.backend.clear_session()  # layer names (dense, dense_1, …) start afresh, as in a new session
    namespace: dict = {"__name__": "__lesson__"}
    run = PageRun()
    with tempfile.TemporaryDirectory(prefix="lesson-") as folder, contextlib.chdir(folder):
        for item in page_items(markdown):
            if isinstance(item, CodeBlock):
                if item.skip:
                    continue
                before = len(run.failures)
                run_block(item, namespace, run)
                if len(run.failures) > before:
                    run.error = f"line {run.failures[-1].line}: {run.failures[-1].statement}"
                    return run
            elif isinstance(item, PrintedBlock):
                run_printed(item, namespace, run)
            elif on_diagram is not None:
                on_diagram(item, namespace.get(item.name))
    return run


_ANY_CHECK = re.compile(rf"[ \t]*<!--\s*{MARKER}:.*?-->[ \t]*\n?", re.S)


def strip_check_comments(markdown: str) -> str:
    """The page without its docs-check comments (preludes included), for publishing."""
    return _ANY_CHECK.sub("", markdown)


def lesson_pages(docs: Path) -> list[Path]:
    """The pages whose code is checked: the home page and every lesson."""
    return [docs / "index.md", *sorted((docs / "lessons").glob("*.md"))]
