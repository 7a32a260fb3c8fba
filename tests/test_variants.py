"""Accept any correct answer, reject typical wrong ones with a message that points at the mistake.

Each file under tests/variants/<NN>/ is an independently written submission of exercise NN:
`correct_*.py` must pass every check (hidden ones too); `wrong_*.py` must lose points, and its
docstring's `expect: TEXT` names text that must appear in its FIRST failure message. No message may
contain a traceback, array values or tensor reprs, or compare misaligned layers one by one.
"""

from __future__ import annotations

import re

import pytest
from conftest import expected_fragment, variant_files

from grader.manifest import load_course
from grader.runner import run_checks

FILES = variant_files()


def _exercise(path):
    return load_course().find(path.parent.name)


@pytest.mark.parametrize("path", [p for p in FILES if p.name.startswith("correct_")],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_correct_variant_passes(path):
    result = run_checks(_exercise(path), path, include_hidden=True)
    assert result.error is None, result.error
    assert result.passed, {c.name: c.message for c in result.checks if c.outcome != "passed"}
    assert result.points == result.max_points


@pytest.mark.parametrize("path", [p for p in FILES if p.name.startswith("wrong_")],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_wrong_variant_fails_with_a_pointed_message(path):
    fragment = expected_fragment(path)
    assert fragment, f"{path.name} lacks an 'expect:' line in its docstring"
    result = run_checks(_exercise(path), path, include_hidden=True)
    assert result.error is None, result.error
    failed = [c for c in result.checks if c.outcome == "failed"]
    assert failed, f"{path.name} passed every check"
    assert result.points < result.max_points
    messages = "\n".join(c.message for c in failed)
    assert fragment in failed[0].message, f"the first failure does not mention {fragment!r}:\n{messages}"
    assert_messages_are_clean([c.message for c in result.checks])


# an array or tensor dump: "[[0.63 0.26", "[0.1, 0.2", "tf.Tensor(", "array(", "<tf.Variable"
ARRAY_VALUES = re.compile(r"\[\s*\[?\s*-?\d+\.\d*(e[-+]?\d+)?[\s,]+\[?-?\d|tf\.Tensor\(|\barray\(|<tf\.|<KerasTensor")
# a per-position comparison of layers ("layer 2 (Dense ...) has shape", "Dense layer 1 has 3,712 parameters")
POSITIONAL = re.compile(r"\blayer \d+ \(\w+|\b[A-Z]\w+ layer \d+ has\b")


def assert_messages_are_clean(messages: list[str]) -> None:
    """No traceback, no raw values, no more than one message comparing layers by position (a cascade)."""
    for message in messages:
        assert "Traceback" not in message and 'File "' not in message, message
        assert not ARRAY_VALUES.search(message), f"a message shows array values:\n{message}"
    positional = [m for m in messages if POSITIONAL.search(m)]
    assert len(positional) <= 1, "several messages compare layers by position:\n" + "\n".join(positional)


def test_every_exercise_has_three_correct_and_three_wrong_variants():
    for exercise in load_course().exercises:
        names = [p.name for p in FILES if p.parent.name == exercise.id]
        assert sum(n.startswith("correct_") for n in names) >= 3, exercise.id
        assert sum(n.startswith("wrong_") for n in names) >= 3, exercise.id
