"""Lambda layers that batch grading rebuilt from what a challenge found their function computes.

A Lambda function of the learner's own is run by the grader only as a committed graph, on inputs drawn
after the commit (grader.grade.functions), and rebuilt as the Keras activation or Flatten it matched.
What a function computes on examples of one shape says nothing of another (a flatten in the wrong order
is the lesson's Flatten on examples of shape (1, 784)), and the shape it was challenged on is the one its
process named. So a rebuilt layer may only ever run on examples of that shape: every call it already
has in the rebuilt graph is checked (`shape_problem`), and every later one too (`guard`: a model without
an input shape is built only when the checks first call it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import keras

CHALLENGED_SHAPES = "_course_challenged_shapes"  # on a rebuilt model: [(layer name, example shape challenged)]
DEFAULT_SHAPE = (12,)  # the challenge's shape when the process named no plausible one (grader.grade.functions)


class UnchallengedShape(ValueError):
    """A rebuilt Lambda layer was given examples of another shape than the one its function was challenged on."""


def _message(name: str, shape: tuple, given: tuple | None) -> str:
    received = f"examples of shape {given}" if given is not None else "no known input shape"
    return (f"a Lambda function of your own ({name}) that your process committed on examples of shape {shape}, "
            f"where the model gives it {received}")


def call_shapes(layer: keras.layers.Layer) -> list[tuple]:
    """The example shape (batch axis dropped) of the first input of each call `layer` has in its graphs."""
    shapes = []
    for node in getattr(layer, "_inbound_nodes", []):
        tensors = node.input_tensors
        if tensors:
            shapes.append(tuple(tensors[0].shape[1:]))
    return shapes


def _named(model: keras.Model, challenged: Sequence[tuple[str, tuple]]):
    layers = list(model._flatten_layers(include_self=False))
    for name, shape in challenged:
        for layer in layers:
            if layer.name == name:
                yield layer, name, tuple(shape)


def shape_problem(model: keras.Model, challenged: Sequence[tuple[str, tuple]]) -> str | None:
    """Why a layer of `model` named in `challenged` runs on examples of a shape its function was not challenged
    on, in a call its graph already holds; None if none does. A layer not called yet must have been
    challenged on the default shape (its process knew no shape either); `guard` checks its later calls."""
    for layer, name, shape in _named(model, challenged):
        shapes = call_shapes(layer)
        for given in shapes:
            if given != shape:
                return _message(name, shape, given)
        if not shapes and shape != DEFAULT_SHAPE:
            return _message(name, shape, None)
    return None


def guard(model: keras.Model, challenged: Sequence[tuple[str, tuple]]) -> None:
    """From now on, each layer of `model` named in `challenged` raises UnchallengedShape when it is called on
    examples of another shape than its function was challenged on (remembered on the model, for `reguard`)."""
    challenged = [(str(name), tuple(shape)) for name, shape in challenged]
    setattr(model, CHALLENGED_SHAPES, challenged)
    for layer, name, shape in _named(model, challenged):
        original = layer.call

        def call(inputs, *args, _original=original, _name=name, _shape=shape, **kwargs):
            given = tuple(getattr(inputs, "shape", (None,))[1:])
            if given != _shape:
                raise UnchallengedShape(_message(_name, _shape, given))
            return _original(inputs, *args, **kwargs)

        layer.call = call


def reguard(source: keras.Model, copy: keras.Model) -> keras.Model:
    """`copy` (a clone of `source`, made from its config) guarded as `source` is."""
    challenged = getattr(source, CHALLENGED_SHAPES, None)
    if challenged:
        guard(copy, challenged)
    return copy
