"""The shapes a rebuilt Lambda layer may run on: those its function was challenged on.

A Lambda function of the learner's own is run by the grader only as a committed graph, on inputs drawn
after the commit (grader.grade.functions), and rebuilt as the Keras activation or Flatten it matched.
What a function computes on examples of one shape says nothing of another (a flatten in the wrong order
is the lesson's Flatten on examples of shape (1, 784)), and the shape it was challenged on is the one its
process named. So every call a rebuilt layer has in the rebuilt graph must receive examples of that
shape (`shape_problem`). A layer of a model without an input shape has no call yet: its process knew no
shape either, and it was challenged on DEFAULT_LAMBDA_SHAPE, which a model built later may not give it (a known
limit: a function whose result depends on its input's width is judged on 12 values).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from grader.grade.functions import DEFAULT_LAMBDA_SHAPE

if TYPE_CHECKING:
    import keras


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
    challenged on the default shape (its process knew no shape either)."""
    for layer, name, shape in _named(model, challenged):
        shapes = call_shapes(layer)
        for given in shapes:
            if given != shape:
                return _message(name, shape, given)
        if not shapes and shape != DEFAULT_LAMBDA_SHAPE:
            return _message(name, shape, None)
    return None
