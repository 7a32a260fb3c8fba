"""A model's layer list in the lesson's terms, and its alignment with the list an exercise expects.

Learners spell the same model many ways: `Dense(128, activation="relu")` or `Dense(128)` then `ReLU()`
or `Activation("relu")`; a `Flatten` or a `Reshape((784,))`; layers inside a nested `Sequential`; an
`InputLayer`; `tf.keras` or `keras`. `layer_list` folds all of these into one normal form (a list of
`Step`s) so that checks compare what the model computes, not how it is written.

`first_divergence` then aligns that list with the expected `Spec`s by edit distance (never position
by position) and describes the first real difference in the lesson's terms — a missing Flatten is
"Dense acts on the last axis, so the model outputs (None, 28, 10)", not four positional mismatches.
Checks that only make sense once the list is right raise `NotChecked` instead of comparing the wrong
layers (see `expect_same_layer_list`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from math import prod

import keras
import numpy as np

from grader.checks.failure import CheckFailure, NotChecked, error_summary
from grader.checks.introspect import (
    Shape,
    activation_name,
    computed_activation,
    count_params,
    describe_layer,
    fmt_shape,
    given_name,
)


@dataclass(frozen=True)
class Step:
    """One step of a model in normal form: a kind ("Flatten", "Dense", "Dropout", or another layer's
    class name), what it outputs for the exercise's input, its parameters, and for Dense its units,
    activation (an activation layer after it folded in) and use_bias. `names` are the learner's layer
    names that make up the step."""

    kind: str
    output_shape: Shape
    params: int
    units: int | None = None
    activation: str = "linear"
    use_bias: bool = True
    names: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.kind == "Dense":
            return f"Dense({self.units}{'' if self.activation == 'linear' else ', ' + self.activation})"
        return self.kind


@dataclass(frozen=True)
class Spec:
    """One expected step: its kind and, for Dense, its units and activation."""

    kind: str
    units: int | None = None
    activation: str = "linear"

    def describe(self) -> str:
        if self.kind == "Dense":
            return f"Dense({self.units}{'' if self.activation == 'linear' else ', ' + self.activation})"
        return self.kind


@dataclass
class LayerList:
    """A model's steps in normal form, with notes on spellings the grader accepted as equivalent."""

    steps: list[Step]
    input_shape: Shape
    notes: list[str] = field(default_factory=list)

    @property
    def output_shape(self) -> Shape:
        return self.steps[-1].output_shape if self.steps else (None, *self.input_shape)

    def describe(self) -> str:
        return " → ".join(step.describe() for step in self.steps) or "no layers"


def leaf_layers(model: keras.Model) -> list[keras.Operation]:
    """The model's layers in order, nested Sequential/functional models opened up, InputLayer left out.

    A functional model lists its operations too: `keras.ops.relu(x)` or `x + h` between layers is
    part of what it computes, though not a layer.
    """
    found = []
    steps = model.operations if _is_functional(model) else model.layers
    for layer in steps:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if isinstance(layer, keras.Model) and (isinstance(layer, keras.Sequential) or _is_functional(layer)):
            found.extend(leaf_layers(layer))
        else:
            found.append(layer)
    return found


def _is_functional(model: keras.Model) -> bool:
    return not isinstance(model, keras.Sequential) and getattr(model, "_inputs_struct", None) is not None


_OP_ACTIVATIONS = {"Relu": "relu", "Softmax": "softmax", "Sigmoid": "sigmoid", "Tanh": "tanh"}


def _activation_of_layer(layer: keras.Operation) -> str | None:
    """The activation an activation layer (or a keras.ops activation) applies, or None if `layer` is
    not a plain one."""
    if isinstance(layer, keras.layers.ReLU):
        plain_relu = (layer.max_value is None and not float(layer.negative_slope) and not float(layer.threshold))
        return "relu" if plain_relu else None
    if isinstance(layer, keras.layers.Softmax):
        return "softmax"
    if isinstance(layer, keras.layers.Activation):
        return activation_name(layer)
    if not isinstance(layer, keras.layers.Layer):
        return _OP_ACTIVATIONS.get(type(layer).__name__)
    return None


def layer_list(model: keras.Model, input_shape: Shape) -> LayerList:
    """`model`'s layers in normal form for `(None, *input_shape)` inputs (see the module docstring).

    A symbolic tensor is passed through the leaf layers in order, so every step knows its real output
    shape; a layer that cannot take its predecessor's output becomes a CheckFailure naming the shapes.
    """
    tensor = keras.KerasTensor((None, *input_shape), dtype="float32")
    steps: list[Step] = []
    notes: list[str] = []
    for layer in leaf_layers(model):
        before = tuple(tensor.shape)
        try:
            tensor = layer(tensor)
        except Exception as error:  # noqa: BLE001 - the learner's layer runs here
            raise CheckFailure(
                f"{describe_layer(layer)} cannot take the output of the layer before it, "
                f"of shape {fmt_shape(before)}",
                why=f"{type(error).__name__}: {error_summary(error)}",
                hint="check what each layer expects to receive",
            ) from None
        shape = tuple(tensor.shape)
        folded = _activation_of_layer(layer)
        if folded is None and not isinstance(layer, (keras.layers.Dense, keras.layers.Flatten)):
            folded = _probed_activation(layer, before, shape)
        last = steps[-1] if steps else None
        if (folded is not None and last is not None and last.kind == "Dense" and last.activation == "linear"):
            steps[-1] = replace(last, activation=folded, names=(*last.names, _learner_name(layer)))
            continue
        params = count_params(layer) if isinstance(layer, keras.layers.Layer) else 0
        if isinstance(layer, keras.layers.Dense):
            steps.append(Step("Dense", shape, count_params(layer), units=int(layer.units),
                              activation=activation_name(layer), use_bias=bool(layer.use_bias), names=(_learner_name(layer),)))
        elif isinstance(layer, keras.layers.Flatten) or _flattens(layer, before, shape):
            if not isinstance(layer, keras.layers.Flatten):
                notes.append(f"{describe_layer(layer)} turns {fmt_shape(before)} into {fmt_shape(shape)}: "
                             "the grader counts it as the lesson's Flatten(), which says the same in one word")
            steps.append(Step("Flatten", shape, params, names=(_learner_name(layer),)))
        elif folded is not None:
            steps.append(Step(f"Activation({folded})", shape, 0, activation=folded, names=(_learner_name(layer),)))
        else:
            steps.append(Step(type(layer).__name__, shape, params, names=(_learner_name(layer),)))
    return LayerList(steps, tuple(input_shape), notes)


def _probed_activation(layer: keras.Operation, before: Shape, after: Shape) -> str | None:
    """The activation a parameter-free step that keeps its input's shape computes (`computed_activation`):
    a `Lambda(keras.activations.relu)` or a `Lambda(lambda t: ops.maximum(t, 0))` is the lesson's ReLU, as
    an `Activation("relu")` is. None for any other step (an identity, such as a Dropout at inference, is
    no activation)."""
    if after != before or isinstance(layer, keras.layers.Layer) and count_params(layer):
        return None
    found = computed_activation(layer, before[1:])
    return None if found == "linear" else found


def _flattens(layer: keras.Operation, before: Shape, after: Shape) -> bool:
    """A parameter-free step (Reshape, Lambda, keras.ops.reshape) that turns each example into one vector
    of all its values, in row-major order like Flatten (tried on a probe), is a Flatten."""
    if len(after) != 2 or len(before) < 3 or None in before[1:] or after[1] != prod(before[1:]):
        return False
    if isinstance(layer, keras.layers.Layer) and count_params(layer):
        return False
    probe = np.arange(2 * prod(before[1:]), dtype="float32").reshape(2, *before[1:])
    try:
        got = np.asarray(layer(probe))
    except Exception:  # noqa: BLE001 - the learner's layer runs here; then it is not a Flatten
        return False
    return got.shape == (2, prod(before[1:])) and np.array_equal(got, probe.reshape(2, -1))


# --- alignment -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Pair:
    """One column of an alignment: an expected step and the learner's step matched to it (either may be
    None: a missing or an extra layer)."""

    spec: Spec | None
    step: Step | None

    @property
    def exact(self) -> bool:
        return self.spec is not None and self.step is not None and _cost(self.spec, self.step) == 0


def _cost(spec: Spec, step: Step) -> float:
    if spec.kind != step.kind:
        return 2.0  # never cheaper than a missing plus an extra layer: kinds are matched where they can be
    return 0.0 if spec.units is None or spec.units == step.units else 0.5


def align(steps: list[Step], specs: list[Spec]) -> list[Pair]:
    """The alignment of `steps` with `specs` of least edit cost (a missing or an extra layer 1, another
    kind in its place 2, the same kind with other units 0.5); ties keep the learner's layers in place."""
    n, m = len(specs), len(steps)
    cost = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        cost[i][0] = float(i)
    for j in range(1, m + 1):
        cost[0][j] = float(j)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost[i][j] = min(cost[i - 1][j - 1] + _cost(specs[i - 1], steps[j - 1]),
                             cost[i - 1][j] + 1, cost[i][j - 1] + 1)
    pairs: list[Pair] = []
    i, j = n, m
    while i or j:
        if i and j and cost[i][j] == cost[i - 1][j - 1] + _cost(specs[i - 1], steps[j - 1]):
            pairs.append(Pair(specs[i - 1], steps[j - 1]))
            i, j = i - 1, j - 1
        elif i and cost[i][j] == cost[i - 1][j] + 1:
            pairs.append(Pair(specs[i - 1], None))
            i -= 1
        else:
            pairs.append(Pair(None, steps[j - 1]))
            j -= 1
    return pairs[::-1]


def first_divergence(layers: LayerList, specs: list[Spec]) -> CheckFailure | None:
    """The first real difference between the learner's layers and `specs`, in the lesson's terms, or
    None when every expected step is there with its units (activations are judged by other checks)."""
    pairs = align(layers.steps, specs)
    expected = " → ".join(spec.describe() for spec in specs)
    got = layers.describe()
    kinds = [step.kind for step in layers.steps]
    if specs and specs[0].kind == "Flatten" and "Flatten" in kinds and "Dense" in kinds[: kinds.index("Flatten")]:
        return _missing_flatten(layers, expected, got)  # flattened too late: a Dense saw the image row by row
    for position, pair in enumerate(pairs):
        if pair.exact:
            continue
        before = next((p.step or p.spec for p in reversed(pairs[:position]) if p.step or p.spec), None)
        after_text = f" after {before.describe()}" if before is not None else " first"
        if pair.spec is not None and pair.spec.kind == "Flatten" and pair.step is None:
            return _missing_flatten(layers, expected, got)
        if pair.step is None:
            return CheckFailure(
                f"the model has no {pair.spec.describe()} layer{after_text}",
                expected=expected, got=got,
                why="each layer of the lesson's model has its own job; without this one the model computes "
                "something else",
                hint=f"add the missing {pair.spec.kind} layer",
            )
        if pair.spec is None:
            return CheckFailure(
                f"the model has an extra {pair.step.describe()} layer{after_text}",
                expected=expected, got=got,
                why="every extra layer changes what the model computes (and usually its parameter count)",
                hint=f"remove the {pair.step.kind} layer{_quoted(pair.step.names)}",
            )
        if pair.spec.kind == pair.step.kind == "Dense":
            ordinal = _ordinal(sum(1 for p in pairs[: position + 1] if p.spec is not None and p.spec.kind == "Dense"))
            return CheckFailure(
                f"the {ordinal} Dense layer has {pair.step.units} units; expected {pair.spec.units}",
                expected=expected, got=got,
                why=f"Dense(units) gives every example `units` outputs: here {fmt_shape(pair.step.output_shape)} "
                f"instead of {fmt_shape((*pair.step.output_shape[:-1], pair.spec.units))}",
                hint="compare the units of each Dense layer with the exercise's description",
            )
        return CheckFailure(
            f"the model has a {pair.step.describe()} layer where the lesson's model has {pair.spec.describe()}",
            expected=expected, got=got,
            why=f"a {pair.step.kind} layer computes something other than a {pair.spec.kind} layer",
            hint=f"replace the {pair.step.kind} layer{_quoted(pair.step.names)} with the {pair.spec.kind} layer the exercise "
            "describes",
        )
    return None


def _missing_flatten(layers: LayerList, expected: str, got: str) -> CheckFailure:
    shape = layers.output_shape
    image = fmt_shape(layers.input_shape)
    first_dense = next((step for step in layers.steps if step.kind == "Dense"), None)
    units = first_dense.units if first_dense is not None else 128
    if any(step.kind == "Flatten" for step in layers.steps) and first_dense is not None:
        summary = (f"the model flattens after its first Dense layer, not before: {first_dense.describe()} acts on "
                   f"the last axis of the {image} input, one row of {layers.input_shape[-1]} values at a time, so no "
                   "unit sees the whole image")
    elif len(shape) > 2:
        per_example = prod(d for d in shape[1:-1] if d is not None)
        summary = (f"the model has no Flatten, so each Dense acts on the last axis of the {image} input: the "
                   f"model outputs {fmt_shape(shape)}, {per_example} predictions per image instead of one")
    else:
        summary = f"the model has no Flatten before its first Dense layer (its input is {image})"
    return CheckFailure(
        summary, expected=expected, got=got,
        why=f"Dense multiplies the LAST axis of its input by its kernel and keeps the other axes: "
        f"{fmt_shape((None, *layers.input_shape))} → Dense({units}) → {fmt_shape((None, *layers.input_shape[:-1], units))}; "
        "a Flatten first turns each image into one vector, so every unit sees every pixel",
        hint="turn each image into one vector of pixels before the first Dense layer",
    )


def _ordinal(n: int) -> str:
    return {1: "first", 2: "second", 3: "third", 4: "fourth"}.get(n, f"{n}th")


def expect_same_layer_list(layers: LayerList, specs: list[Spec]) -> None:
    """NotChecked unless the layer list matches `specs` (see `first_divergence`): a check comparing
    per-layer shapes or counts would otherwise compare the wrong layers."""
    if first_divergence(layers, specs) is not None:
        raise NotChecked("the layer list differs from the expected one (see the layer check above); comparing "
                         "layer by layer would compare the wrong layers")


def expected_pairs(layers: LayerList, specs: list[Spec]) -> list[tuple[Step, Spec]]:
    """(learner step, expected step) for every expected step, once the lists match."""
    return [(pair.step, pair.spec) for pair in align(layers.steps, specs) if pair.step and pair.spec]


def _learner_name(layer) -> str:
    """The name the learner gave, or '' (Keras' automatic names depend on what ran before)."""
    try:
        return given_name(layer) or ""
    except Exception:  # noqa: BLE001 - an operation without a layer's name
        return ""


def _quoted(names: tuple[str, ...]) -> str:
    """" 'encoder'" for a step with a learner-given name, else ''."""
    named = [n for n in names if n]
    return f" {named[0]!r}" if named else ""
