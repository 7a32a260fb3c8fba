"""Small expectations, one property each, that exercise checks compose.

Each raises CheckFailure with expected / got / why / hint; none prints.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from grader.checks.failure import CheckFailure, fmt_int
from grader.checks.introspect import Shape, fmt_shape


def expect_equal_shape(what: str, got: Shape, expected: Shape, *, why: str | None = None,
                       hint: str | None = None) -> None:
    """`got == expected`, treating the batch dimension None as a wildcard for None only."""
    if tuple(got) != tuple(expected):
        raise CheckFailure(
            f"{what} has shape {fmt_shape(got)}; expected {fmt_shape(expected)}",
            expected=fmt_shape(expected), got=fmt_shape(got), why=why, hint=hint,
        )


def expect_param_count(what: str, got: int, expected: int, *, formula: str,
                       hint: str | None = None) -> None:
    """`got == expected` parameters; the message spells out the formula for `expected`."""
    if int(got) != int(expected):
        raise CheckFailure(
            f"{what} has {fmt_int(got)} parameters; expected {fmt_int(expected)} = {formula}",
            expected=fmt_int(expected), got=fmt_int(got), why=formula, hint=hint,
        )


def expect_array(what: str, got: object, *, shape: Sequence[int] | None = None) -> np.ndarray:
    """`got` converted to a float numpy array (of `shape`, if given), or a CheckFailure."""
    if got is None:
        raise CheckFailure(f"{what} is None", expected="a numpy array", got="None",
                           hint="did you forget to `return` the result?")
    try:
        array = np.asarray(got, dtype="float64")
    except (TypeError, ValueError):
        raise CheckFailure(f"{what} is not numeric", expected="a numpy array",
                           got=type(got).__name__) from None
    if shape is not None and array.shape != tuple(shape):
        raise CheckFailure(f"{what} has shape {array.shape}; expected {tuple(shape)}",
                           expected=tuple(shape), got=array.shape)
    return array


def distinct_digits(expected: float, got: float) -> tuple[str, str]:
    """The two numbers with the fewest significant digits (4 to 8) that still tell them apart.

    Never more than needed: the last bits of a float computation can differ between processes (thread
    counts, kernels), and a message must be the same wherever the same answer is graded.
    """
    for digits in range(4, 9):
        want, have = f"{expected:.{digits}g}", f"{got:.{digits}g}"
        if want != have:
            return want, have
    return want, have


def expect_close(what: str, got: np.ndarray, expected: np.ndarray, *, atol: float = 1e-5,
                 rtol: float = 1e-5, why: str | None = None, hint: str | None = None) -> None:
    """Element-wise closeness; the message shows the first differing element."""
    got = np.asarray(got, dtype="float64")
    expected = np.asarray(expected, dtype="float64")
    if got.shape != expected.shape:
        raise CheckFailure(f"{what} has shape {got.shape}; expected {expected.shape}",
                           expected=expected.shape, got=got.shape, why=why, hint=hint)
    if not np.all(np.isfinite(got)):
        bad = int(np.size(got) - np.count_nonzero(np.isfinite(got)))
        raise CheckFailure(f"{what} contains {bad} NaN or infinite values", why=why, hint=hint)
    close = np.isclose(got, expected, atol=atol, rtol=rtol)
    if not close.all():
        index = tuple(int(i) for i in np.argwhere(~close)[0])
        want, have = distinct_digits(float(expected[index]), float(got[index]))
        raise CheckFailure(
            f"{what} differs from the reference at index {index} "
            f"({np.count_nonzero(~close)} of {close.size} values differ)",
            expected=want, got=have, why=why, hint=hint,
        )


def expect_integer(what: str, got: object) -> int:
    """`got` as an int; a CheckFailure for floats with fractions, strings, None."""
    if isinstance(got, bool) or not isinstance(got, (int, np.integer)):
        if isinstance(got, (float, np.floating)) and float(got).is_integer():
            return int(got)
        raise CheckFailure(f"{what} is not an integer", expected="an int",
                           got=f"{got!r} ({type(got).__name__})")
    return int(got)
