"""Same weights, same function: copying weights between models and proving variables are shared.

Two models compute the same function only if they agree on the same weights. These helpers move
weights by the variables' shapes (never through a model's own `get_weights`/`set_weights`, which a
learner's class may override), find variables by shape, and test what depends on what.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence

import keras
import numpy as np

from grader.checks.failure import CheckFailure
from grader.checks.inputs import generator
from grader.checks.introspect import Shape, fmt_shape, variables_of

WEIGHTS_DIFFER = "do not have the same weights"  # how a failed weight matching reads (checks look for it)
MAX_MATCHINGS = 720  # every_matching gives at most this many pairings


def variables_with_shape(obj: keras.layers.Layer, shape: Shape) -> list[keras.Variable]:
    """The distinct variables of `obj` whose shape is `shape` (two copies of a layer give two)."""
    return [v for v in variables_of(obj) if tuple(v.shape) == tuple(shape)]


def matched_variables(source: keras.layers.Layer, target: keras.layers.Layer, *, source_label: str,
                      target_label: str) -> list[tuple[keras.Variable, keras.Variable]]:
    """Pairs (source variable, target variable) that correspond.

    In order when both list the same shapes in the same order; otherwise by shape, when every shape
    occurs once in each (then the order does not matter). A CheckFailure says which shapes differ.
    """
    src, dst = variables_of(source), variables_of(target)
    pairs = _matching([tuple(v.shape) for v in src], [tuple(v.shape) for v in dst], source_label, target_label)
    return [(src[i], dst[j]) for i, j in pairs]


def every_matching(source: keras.layers.Layer, target: keras.layers.Layer, *, source_label: str,
                   target_label: str) -> Iterator[list[tuple[keras.Variable, keras.Variable]]]:
    """Every way of pairing `source`'s variables with `target`'s of the same shapes, at most MAX_MATCHINGS;
    a CheckFailure (as `matched_variables` says it) when the two do not hold the same shapes. First the
    pairing that takes each shape's occurrences in order (by order when both list the same shapes in the
    same order, as `matched_variables` pairs them), then, where a shape occurs more than once, the others.

    For a check that asks whether a model computes a reference's function: a learner's own layer tracks
    its inner layers in the order it makes them, not the order it calls them (a residual block that makes
    its output Dense first lists that Dense's kernel first; a subclassed model may make its head before
    its stem), so weights of one shape may correspond in any order. A model matches the reference when
    some pairing gives the same outputs."""
    src, dst = variables_of(source), variables_of(target)
    src_shapes, dst_shapes = [tuple(v.shape) for v in src], [tuple(v.shape) for v in dst]
    if sorted(src_shapes) != sorted(dst_shapes):
        _matching(src_shapes, dst_shapes, source_label, target_label)  # raises, saying which shapes differ
    groups: dict[Shape, tuple[list[int], list[int]]] = {}
    for i, shape in enumerate(src_shapes):
        groups.setdefault(shape, ([], []))[0].append(i)
    for j, shape in enumerate(dst_shapes):
        groups[shape][1].append(j)
    orders = [[list(zip(mine, order, strict=True)) for order in itertools.islice(itertools.permutations(theirs),
                                                                                  MAX_MATCHINGS)]
              for mine, theirs in groups.values()]
    for choice in itertools.islice(itertools.product(*orders), MAX_MATCHINGS):
        yield [(src[i], dst[j]) for i, j in sorted(pair for group in choice for pair in group)]


def copy_weights(source: keras.layers.Layer, target: keras.layers.Layer, *, source_label: str,
                 target_label: str) -> None:
    """Give `target` the values of `source`'s weights (see `matched_variables` for the matching)."""
    for src, dst in matched_variables(source, target, source_label=source_label, target_label=target_label):
        dst.assign(np.asarray(src))


def assign_values(target: keras.layers.Layer, values: Sequence[np.ndarray], *, source_label: str,
                  target_label: str) -> None:
    """Give `target`'s variables these values, matched to them as `matched_variables` matches variables."""
    dst = variables_of(target)
    for i, j in _matching([np.shape(v) for v in values], [tuple(v.shape) for v in dst], source_label, target_label):
        dst[j].assign(np.asarray(values[i]))


def _matching(src_shapes: list[Shape], dst_shapes: list[Shape], source_label: str,
              target_label: str) -> list[tuple[int, int]]:
    src_shapes, dst_shapes = [tuple(s) for s in src_shapes], [tuple(s) for s in dst_shapes]
    if src_shapes == dst_shapes:
        return [(i, i) for i in range(len(src_shapes))]
    if sorted(src_shapes) == sorted(dst_shapes) and len(set(src_shapes)) == len(src_shapes):
        by_shape = {shape: j for j, shape in enumerate(dst_shapes)}
        return [(i, by_shape[shape]) for i, shape in enumerate(src_shapes)]
    raise CheckFailure(
        f"{target_label} and {source_label} {WEIGHTS_DIFFER}, so one cannot receive the other's",
        expected=f"{source_label}: {_shapes(src_shapes)}", got=f"{target_label}: {_shapes(dst_shapes)}",
        why="the same architecture has the same kernels and biases, of the same shapes",
        hint="compare the layer sizes, activations and use_bias of the two models",
    )


def assign_random(obj: keras.layers.Layer, seed: int, scale: float = 0.3) -> list[np.ndarray]:
    """Set every variable of `obj` to seeded random values (biases too, so they matter); return them."""
    rng = generator(seed)
    values = []
    for variable in variables_of(obj):
        value = rng.normal(scale=scale, size=tuple(variable.shape)).astype("float32")
        variable.assign(value)
        values.append(value)
    return values


def depends_on(fn: Callable[[Sequence[np.ndarray]], np.ndarray], inputs: Sequence[np.ndarray], which: int,
               *, seed: int = 0, atol: float = 1e-6) -> bool:
    """Whether `fn(inputs)` changes when input number `which` is replaced by different random values."""
    before = np.asarray(fn(inputs))
    changed = list(inputs)
    rng = generator(seed)
    changed[which] = rng.uniform(size=np.shape(inputs[which])).astype("float32")
    after = np.asarray(fn(changed))
    return not np.allclose(before, after, atol=atol)


class temporarily_assigned:  # noqa: N801 - used as a context manager, reads like one
    """`with temporarily_assigned(variable, value):` — the variable holds `value` inside the block and
    its original value again afterwards, whatever happens inside."""

    def __init__(self, variable: keras.Variable, value: np.ndarray) -> None:
        self.variable, self.value = variable, value

    def __enter__(self) -> keras.Variable:
        self.saved = np.asarray(self.variable)
        self.variable.assign(self.value)
        return self.variable

    def __exit__(self, *exc: object) -> None:
        self.variable.assign(self.saved)


def _shapes(shapes: Sequence[Shape]) -> str:
    return "[" + ", ".join(fmt_shape(s) for s in shapes) + "]" if shapes else "no weights"
