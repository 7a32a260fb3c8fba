"""The structured result of a failed check: what was expected, what was found, why, what to try."""

from __future__ import annotations

import re

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class CheckFailure(AssertionError):
    """A check failed in a way the learner can act on.

    `summary` is one sentence in the learner's terms ("Dense layer 2 has 100,352 parameters");
    `expected` and `got` are the two values compared, `why` the rule or formula behind the expectation,
    and `hint` what to try. Only `summary` is required. `str()` gives the message shown to learners.
    """

    def __init__(
        self,
        summary: str,
        *,
        expected: object = None,
        got: object = None,
        why: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.summary = summary
        self.expected = expected
        self.got = got
        self.why = why
        self.hint = hint
        super().__init__(self.message)

    @property
    def message(self) -> str:
        lines = [self.summary]
        if self.expected is not None or self.got is not None:
            lines.append(f"  expected: {self.expected}")
            lines.append(f"  got:      {self.got}")
        if self.why:
            lines.append(f"  why:      {self.why}")
        if self.hint:
            lines.append(f"  hint:     {self.hint}")
        return "\n".join(lines)

    @classmethod
    def from_dict(cls, data: dict) -> CheckFailure:
        """The failure `as_dict` described (unknown keys ignored): how a failure crosses processes."""
        fields = {k: data.get(k) for k in ("expected", "got", "why", "hint")}
        return cls(str(data.get("summary") or "the check failed"), **fields)

    def as_dict(self) -> dict[str, str | None]:
        return {
            "summary": self.summary,
            "expected": None if self.expected is None else str(self.expected),
            "got": None if self.got is None else str(self.got),
            "why": self.why,
            "hint": self.hint,
        }


class NotImplementedYet(CheckFailure):
    """The learner's function still raises NotImplementedError (an untouched stub)."""


NOT_CHECKED = "not checked:"  # how the summary of a NotChecked result starts (the learner view marks it apart)


class NotChecked(CheckFailure):
    """A check that would only repeat an earlier root cause (e.g. compare misaligned layers): 0 points,
    and the message says what to fix first and why, instead of a second, misleading comparison."""

    def __init__(self, because: str, *, fix_first: str = "the layer list") -> None:
        super().__init__(f"{NOT_CHECKED} fix {fix_first} first", why=because)


def fmt_int(n: int | float) -> str:
    """`100480` → `100,480`: parameter counts read the way the lessons print them."""
    return f"{int(n):,}"


def plain(text: str) -> str:
    """`text` without terminal colour codes (TensorFlow's error messages carry them)."""
    return _ANSI.sub("", text)


def _lines(error: BaseException | str) -> list[str]:
    """The non-blank lines of an exception's text (or of a text), stripped, colour codes removed."""
    return [line.strip() for line in plain(str(error)).splitlines() if line.strip()]


def error_lines(error: BaseException | str, max_lines: int = 1, max_chars: int | None = None) -> str:
    """The first `max_lines` non-blank lines of an exception's text, stripped and joined by spaces, at
    most `max_chars` characters (no limit when None); for an exception without text, its type's name."""
    text = " ".join(_lines(error)[:max_lines])[:max_chars]
    return text or ("" if isinstance(error, str) else type(error).__name__)


# where a value dump starts: "[[0.63 0.26", "[1. 2.", "tf.Tensor(", "array(", "<tf.Tensor", "Tensor("
_VALUES = re.compile(r"\[\s*\[*\s*[-+]?(\d|nan|inf)|\b(tf\.)?Tensor\(|\barray\(|<tf\.|<KerasTensor|<Variable")
_NOISE = ("Exception encountered", "Arguments received", "•", "Call arguments received")
MAX_ERROR_CHARS = 200


def error_summary(error: BaseException | str) -> str:
    """One line of an exception's text for a learner message: colour codes, Keras' boilerplate lines,
    array values and tensor reprs removed ("(values omitted)"), at most MAX_ERROR_CHARS characters."""
    lines = _lines(error)
    useful = [line for line in lines if not line.startswith(_NOISE)]
    line = (useful or lines or [type(error).__name__ if not isinstance(error, str) else ""])[0]
    found = _VALUES.search(line)
    if found:
        line = line[: found.start()].rstrip(" :=") + " (values omitted)"
    if len(line) > MAX_ERROR_CHARS:
        received = line.rfind("Received")  # Keras ends its messages with what it received: keep that
        tail = line[received:][:60] if received > MAX_ERROR_CHARS // 2 else ""
        line = line[: MAX_ERROR_CHARS - len(tail) - 3].rstrip() + " … " + tail if tail else \
            line[: MAX_ERROR_CHARS - 1].rstrip() + "…"
    return line
