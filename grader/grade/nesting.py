"""How deeply a JSON value may nest before the grader refuses it: one limit for every header and config
a submission's process sends (grader.grade.values) and every config the grader walks (grader.grade.functions)."""

from __future__ import annotations

from typing import Any

MAX_DEPTH = 100  # JSON nesting of a header; `encode` itself never goes beyond ~45


def json_depth(value: Any) -> int:
    """How deeply lists and dicts nest in `value` (walked without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (list, dict)):
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return deepest
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest
