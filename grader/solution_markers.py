"""The solution files' markers, and the stub a solution becomes (the one format of single-source
exercises: grader.author.stubs writes `exercises/` with it, `course reset` restores a stub, the nbgrader
export writes the same placeholder).

A solution marks what the learner must write between `### BEGIN SOLUTION` and `### END SOLUTION`
(nbgrader's markers, so the same file feeds the nbgrader export). The stub keeps everything else and
replaces each marked block, at the block's indentation, with

    # YOUR CODE HERE
    raise NotImplementedError
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
STUB_PLACEHOLDER = ("# YOUR CODE HERE", "raise NotImplementedError")  # the lines a marked block becomes
_MARKER = re.compile(r"^(?P<indent>[ \t]*)### (?P<kind>BEGIN|END) SOLUTION[ \t]*$")


class MarkerError(ValueError):
    """A solution file's markers are unbalanced or nested."""


@dataclass(frozen=True)
class SolutionBlock:
    """One marked block: its 1-based line range in the solution and its text (markers excluded)."""

    start: int
    end: int
    text: str


def solution_blocks(source: str, name: str = "<solution>") -> list[SolutionBlock]:
    """The marked blocks of a solution file; MarkerError names the line of any unbalanced marker."""
    blocks, open_at, body = [], None, []
    for number, line in enumerate(source.splitlines(), start=1):
        match = _MARKER.match(line)
        if match and match["kind"] == "BEGIN":
            if open_at is not None:
                raise MarkerError(f"{name}:{number}: {BEGIN} inside the block opened at line {open_at}")
            open_at, body = number, []
        elif match:
            if open_at is None:
                raise MarkerError(f"{name}:{number}: {END} without a {BEGIN}")
            blocks.append(SolutionBlock(open_at, number, "\n".join(body)))
            open_at = None
        elif open_at is not None:
            body.append(line)
    if open_at is not None:
        raise MarkerError(f"{name}:{open_at}: {BEGIN} is never closed")
    return blocks


def make_stub(source: str, name: str = "<solution>") -> str:
    """The stub text for a solution's source: every marked block replaced by a placeholder."""
    solution_blocks(source, name)  # validates the markers
    out, inside = [], False
    for line in source.splitlines():
        match = _MARKER.match(line)
        if match and match["kind"] == "BEGIN":
            inside = True
            out += [f"{match['indent']}{line}" for line in STUB_PLACEHOLDER]
        elif match:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out) + "\n"
