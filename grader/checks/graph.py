"""Reading a functional model's graph: which API built it, its named inputs and outputs, its merges.

A functional model records every layer call as a node; each `KerasTensor` remembers the call that
produced it (`tensor._keras_history`). The helpers here walk that record, so they see what the model
is wired to do rather than what it says about itself.
"""

from __future__ import annotations

import re

import keras

from grader.checks.failure import CheckFailure
from grader.checks.introspect import Shape, fmt_shape, given_name


def api_of(model: keras.Model) -> str:
    """`"sequential"`, `"functional"` or `"subclassed"`: which of the three APIs built `model`."""
    if isinstance(model, keras.Sequential):
        return "sequential"
    try:
        inputs = model.inputs
    except AttributeError:  # a subclassed model has no graph and so no `inputs`
        return "subclassed"
    return "functional" if inputs else "subclassed"


_API_WORDS = {
    "sequential": "a keras.Sequential model",
    "functional": "a functional keras.Model(inputs, outputs)",
    "subclassed": "a subclass of keras.Model with its own call()",
}


def expect_api(model: keras.Model, expected: str, label: str, *, hint: str | None = None) -> None:
    """CheckFailure unless `model` was built with the `expected` API (see `api_of`)."""
    expect_api_named(api_of(model), expected, label, type_name=type(model).__name__, hint=hint)


def expect_api_named(got: str, expected: str, label: str, *, type_name: str, hint: str | None = None) -> None:
    """`expect_api` for a model known by its API's name (`got`) and its class name."""
    if got != expected:
        raise CheckFailure(
            f"`{label}` returned {_API_WORDS[got]}; this exercise asks for {_API_WORDS[expected]}",
            expected=_API_WORDS[expected], got=f"{_API_WORDS[got]} ({type_name})",
            hint=hint,
        )


AUTO_TENSOR_NAME = re.compile(r"(?:keras_tensor|input_layer)(?:_\d+)?")  # Keras' counter names for an unnamed Input


def named_inputs(model: keras.Model) -> dict[str, Shape]:
    """The input names of a functional model, in order, with their shapes (batch axis included). An
    input the learner did not name is 'unnamed input N' (its position), never Keras' counter name, which
    depends on what ran before in the process."""
    return {(f"unnamed input {position}" if AUTO_TENSOR_NAME.fullmatch(tensor.name) else tensor.name): tuple(tensor.shape)
            for position, tensor in enumerate(model.inputs, start=1)}


def producer(tensor: keras.KerasTensor) -> keras.layers.Layer | None:
    """The layer (or operation) whose call produced `tensor`; None for a model input."""
    history = getattr(tensor, "_keras_history", None)
    return history.operation if history is not None else None


def named_outputs(model: keras.Model) -> dict[str, Shape]:
    """The outputs of a functional model by name: dict keys if the outputs were given as a dict, else
    the name of the layer that produces each output."""
    struct = getattr(model, "_outputs_struct", None)
    if isinstance(struct, dict):
        return {str(key): tuple(tensor.shape) for key, tensor in struct.items()}
    named = {}
    for position, tensor in enumerate(model.outputs, start=1):
        layer = producer(tensor)
        name = given_name(layer) if layer is not None else None
        named[name or f"unnamed output {position}"] = tuple(tensor.shape)
    return named


def expect_named_shapes(what: str, got: dict[str, Shape], expected: dict[str, Shape], *,
                        hint: str | None = None) -> None:
    """The same names with the same shapes; the message names the first difference."""
    def show(named: dict[str, Shape]) -> str:
        return ", ".join(f"{name!r} {fmt_shape(shape)}" for name, shape in named.items()) or "none"

    if set(got) != set(expected):
        missing = [name for name in expected if name not in got]
        raise CheckFailure(
            f"the model's {what} are named {sorted(got)}; expected {list(expected)}"
            + (f" (no {what[:-1]} named {missing[0]!r})" if missing else ""),
            expected=show(expected), got=show(got), hint=hint,
        )
    for name, shape in expected.items():
        if tuple(got[name]) != tuple(shape):
            raise CheckFailure(
                f"the {what[:-1]} {name!r} has shape {fmt_shape(got[name])}; expected {fmt_shape(shape)}",
                expected=show(expected), got=show(got), hint=hint,
            )


def call_inputs(layer: keras.layers.Layer) -> list[list[keras.KerasTensor]]:
    """For each recorded call of `layer`, the symbolic tensors it was called on."""
    return [list(node.input_tensors) for node in getattr(layer, "_inbound_nodes", [])]


def upstream(tensor: keras.KerasTensor) -> set[int]:
    """`id`s of every tensor `tensor` was computed from (itself included), following the graph back."""
    seen: set[int] = set()
    stack = [tensor]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        history = getattr(current, "_keras_history", None)
        if history is None or history.operation is None:
            continue
        nodes = history.operation._inbound_nodes
        if history.node_index < len(nodes):
            stack.extend(nodes[history.node_index].input_tensors)
    return seen


def layers_of_kind(model: keras.Model, kind: type) -> list[keras.layers.Layer]:
    """The layers of `model` that are instances of `kind`, searching nested models too."""
    found = []
    for layer in model.layers:
        if isinstance(layer, kind):
            found.append(layer)
        elif isinstance(layer, keras.Model):
            found.extend(layers_of_kind(layer, kind))
    return found


def skip_connections(model: keras.Model) -> list[tuple[keras.layers.Layer, keras.KerasTensor]]:
    """Every `Add` layer call in `model` that adds a tensor to something computed from that same
    tensor — a residual `Add()([x, F(x)])` — with the skipped tensor `x`."""
    found = []
    for layer in layers_of_kind(model, keras.layers.Add):
        for inputs in call_inputs(layer):
            for position, candidate in enumerate(inputs):
                others = inputs[:position] + inputs[position + 1:]
                if any(id(candidate) in upstream(other) and other is not candidate for other in others):
                    found.append((layer, candidate))
                    break
    return found


def structured_inputs(model: keras.Model, pick) -> object:
    """Arrays arranged the way `model` was given its inputs (one tensor, a list, or a dict by name):
    `pick(input_tensor)` returns the array for each input."""
    struct = getattr(model, "_inputs_struct", None)
    if struct is None:
        struct = model.inputs
    return keras.tree.map_structure(pick, struct)


def single_output(outputs: object) -> object:
    """The one output of a model that returns it bare, in a one-element list, or in a one-key dict."""
    if isinstance(outputs, dict) and len(outputs) == 1:
        return next(iter(outputs.values()))
    if isinstance(outputs, (list, tuple)) and len(outputs) == 1:
        return outputs[0]
    return outputs
