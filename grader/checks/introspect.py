"""Keras-3-safe introspection of learner models.

Keras 3 removed `layer.output_shape`, subclassed models have no weights until they are called, and a
learner's model may override `count_params` or `summary`. Everything here is computed from what the
model *does* (symbolic calls on KerasTensors, the shapes of its variables), never from what it reports
about itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from math import prod

import keras
import numpy as np

from grader.checks.failure import CheckFailure, error_summary

Shape = tuple[int | None, ...]


def expect_model(obj: object, label: str) -> keras.Model:
    """`obj` if it is a Keras model; otherwise a CheckFailure saying what `label` returned instead."""
    if isinstance(obj, keras.Model):
        return obj
    if obj is None:
        raise CheckFailure(
            f"`{label}` returned None",
            expected="a keras.Model",
            got="None",
            hint="did you forget `return model` at the end of the function?",
        )
    if isinstance(obj, keras.layers.Layer):
        raise CheckFailure(
            f"`{label}` returned a single layer ({type(obj).__name__}), not a model",
            expected="a keras.Model (keras.Sequential([...]) or keras.Model(inputs, outputs))",
            got=type(obj).__name__,
            hint="wrap the layers in a keras.Sequential or a functional keras.Model",
        )
    raise CheckFailure(
        f"`{label}` returned a {type(obj).__name__}, not a Keras model",
        expected="a keras.Model",
        got=f"{type(obj).__module__}.{type(obj).__name__}",
        hint="build the model with keras (or tf.keras) and return it",
    )


def needs_building(model: keras.Model) -> bool:
    """True if `model` has no weights yet because it has not been called: not built, or marked built with no
    weights while some of its layers are not built. The second is a subclassed model on which
    `model.build(shape)` ran without a `build()` of its own that creates the layers' weights: Keras 3 warns
    and marks the model built, but its layers get their weights only on the model's first call."""
    if not model.built:
        return True
    return not variables_of(model) and any(not layer.built for layer in model._flatten_layers(include_self=False))


def ensure_built(model: keras.Model, input_shape: Shape, notes: list[str] | None = None) -> keras.Model:
    """Build `model` by calling it on a zero batch if it has no weights yet (`needs_building`); say so in
    `notes`."""
    if not needs_building(model):
        return model
    batch = np.zeros((1, *input_shape), dtype="float32")
    try:
        model(batch, training=False)
    except CheckFailure:
        raise
    except Exception as error:  # noqa: BLE001 - learner code runs inside the call
        raise input_failure(model, (None, *input_shape), error,
                            hint="check the input shape the model expects and the shapes inside call()") from None
    if notes is not None:
        notes.append(built_note(input_shape))
    return model


def built_note(input_shape: Shape) -> str:
    """The note saying the grader built a model that had no weights (see `ensure_built`)."""
    return f"the model had no weights yet; the grader built it by calling it on a batch of shape {(1, *input_shape)}"


def variables_of(obj: keras.layers.Layer) -> list[keras.Variable]:
    """The distinct variables of a layer or model (a shared layer's variables appear once)."""
    seen: dict[int, keras.Variable] = {}
    for variable in keras.layers.Layer.weights.fget(obj):  # the real property, not an override
        seen.setdefault(id(variable), variable)
    return list(seen.values())


def count_params(obj: keras.layers.Layer) -> int:
    """Number of scalars in `obj`'s distinct variables — computed from shapes, not `count_params()`."""
    return int(sum(prod(v.shape) for v in variables_of(obj)))


def layers_of(model: keras.Model) -> list[keras.layers.Layer]:
    """The model's layers without InputLayer (Keras 3 Sequential already omits it)."""
    return [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]


def given_name(layer: keras.layers.Layer) -> str | None:
    """The name the learner gave `layer`, or None when Keras made it up.

    Keras names an unnamed layer after its class plus a process-wide counter (`dense`, `dense_7`), so
    the same model gets different names depending on what ran before it in the process. A message
    that quoted them would differ between `course check`, batch grading and nbgrader.
    """
    name = str(layer.name)
    snake = re.sub(r"([a-z])([A-Z])", r"\1_\2", re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", type(layer).__name__)).lower()
    auto = {snake, "functional", "sequential", "input_layer"}
    return None if re.fullmatch(rf"(?:{'|'.join(map(re.escape, auto))})(?:_\d+)?", name) else name


def describe_layer(layer: keras.layers.Layer, position: int | None = None) -> str:
    """'layer 2 (Dense)', or 'layer 2 (Dense 'encoder')' when the learner named it: never a counter's name."""
    kind = type(layer).__name__
    name = given_name(layer)
    inner = f"{kind} {name!r}" if name else kind
    return f"layer {position} ({inner})" if position is not None else f"the {inner} layer"


def layer_output_shapes(model: keras.Model, input_shape: Shape) -> list[tuple[keras.layers.Layer, Shape]]:
    """Each layer of a single-path model with the shape it outputs for a `(None, *input_shape)` input.

    Computed by passing a symbolic KerasTensor through the layers in order, which works for Sequential
    models whether or not they were built with an Input (Keras 3 has no `layer.output_shape`).
    """
    tensor = keras.KerasTensor((None, *input_shape), dtype="float32")
    result = []
    for position, layer in enumerate(layers_of(model), start=1):
        try:
            tensor = layer(tensor)
        except Exception as error:  # noqa: BLE001
            raise CheckFailure(
                f"{describe_layer(layer, position)} cannot take the output of the layer "
                f"before it, of shape {_fmt_shape(tensor.shape)}",
                why=f"{type(error).__name__}: {error_summary(error)}",
                hint="check each layer's expected input shape",
            ) from None
        result.append((layer, tuple(tensor.shape)))
    return result


def model_output_shape(model: keras.Model, input_shape: Shape) -> Shape:
    """The output shape of `model` for a `(None, *input_shape)` input, by a symbolic call. A model declared
    for exactly `input_shape` (the example's shape taken as the batch shape) fails as it would on real
    batches, even where Keras' symbolic call lets it through with a warning."""
    declared = declared_input_shape(model)
    if declared is not None and tuple(declared) == tuple(input_shape):
        raise input_failure(model, (None, *input_shape), ValueError("the batch axis is missing"))
    tensor = keras.KerasTensor((None, *input_shape), dtype="float32")
    try:
        out = model(tensor)
    except Exception as error:  # noqa: BLE001
        raise input_failure(model, (None, *input_shape), error) from None
    if isinstance(out, (list, tuple, dict)):
        raise CheckFailure(
            "the model returns several outputs; this exercise expects one",
            got=f"{type(out).__name__} of {len(out)}",
        )
    return tuple(out.shape)


def declared_input_shape(model: keras.Model) -> Shape | None:
    """The shape of a model's one declared input (keras.Input or input_shape=), or None if it has none."""
    try:
        inputs = model.inputs
    except Exception:  # noqa: BLE001 - unbuilt and subclassed models have no inputs
        return None
    if inputs and len(inputs) == 1:
        return tuple(inputs[0].shape)
    return None


def input_failure(model: keras.Model, given: Shape, error: BaseException, *,
                  hint: str = "does the model's input shape match the exercise's?") -> CheckFailure:
    """The failure for `model` refusing a batch of shape `given`, in shapes rather than Keras' text:
    "the model takes (None, 784); the grader gives it inputs of shape (None, 28, 28)"."""
    declared = declared_input_shape(model)
    if declared is not None and tuple(declared) == tuple(given[1:]):
        return CheckFailure(
            f"the model takes inputs of shape {_fmt_shape(declared)}: the first axis of the example's shape was "
            f"taken as the batch axis, so the grader's batches of shape {_fmt_shape(given)} do not fit",
            expected=f"a model that takes {_fmt_shape(given)}", got=f"a model declared for {_fmt_shape(declared)}",
            why="keras.Input(shape=...) gives the shape of ONE example; Keras adds the batch axis (None) itself, "
            "while batch_shape= includes it",
            hint="declare the shape of one example, without the batch axis",
        )
    if declared is not None and tuple(declared[1:]) != tuple(given[1:]):
        return CheckFailure(
            f"the model takes inputs of shape {_fmt_shape(declared)}; the grader gives it inputs of shape "
            f"{_fmt_shape(given)}",
            expected=f"a model that takes {_fmt_shape(given)}", got=f"a model declared for {_fmt_shape(declared)}",
            why="keras.Input(shape=...) (or input_shape=) declares the shape of one example; the exercise "
            "feeds the examples as they are and any reshaping happens inside the model",
            hint="declare the exercise's input shape and let a layer of the model do the reshaping",
        )
    return CheckFailure(
        f"the model cannot take an input of shape {_fmt_shape(given)}",
        why=f"{type(error).__name__}: {error_summary(error)}",
        hint=hint,
    )


# -3 … 3 in steps of 0.5, both signs from the start: resized to a narrow step's width, it still holds both
_PROBE = np.array([0.0, -3.0, 3.0, -2.5, 2.5, -2.0, 2.0, -1.5, 1.5, -1.0, 1.0, -0.5, 0.5], dtype="float32").reshape(1, 13)
_KNOWN = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "tanh": np.tanh,
    "softmax": lambda x: np.exp(x - x.max(-1, keepdims=True)) / np.exp(x - x.max(-1, keepdims=True)).sum(-1, keepdims=True),
}


def activation_name(layer: keras.layers.Layer) -> str:
    """The name of a layer's activation function (`linear` when it has none).

    Judged by what the function computes when its name says nothing: `tf.nn.relu`, a `ReLU()` layer
    object or `lambda x: keras.ops.maximum(x, 0)` all read as `relu`.
    """
    activation = getattr(layer, "activation", None)
    if activation is None:
        return "linear"
    name = getattr(activation, "__name__", type(activation).__name__)
    return name if name in _KNOWN else computed_activation(activation) or name


def computed_activation(fn, example_shape: Sequence[int | None] | None = None) -> str | None:
    """The name of the activation (linear, relu, sigmoid, tanh, softmax) that `fn` computes on a probe of
    both signs, or None when it computes none of them or cannot run on it. The probe is one example of
    `example_shape` when it is known (the shape a model gives the step: what a function computes on
    examples of one shape says nothing of another), else of 13 values."""
    probe = _PROBE
    if example_shape and all(isinstance(d, int) and d > 0 for d in example_shape) and prod(example_shape) <= 65_536:
        probe = np.resize(_PROBE, (1, *example_shape))
    try:
        values = np.asarray(fn(probe), dtype="float64")
    except Exception:  # noqa: BLE001 - the learner's function runs here
        return None
    for known, reference in _KNOWN.items():
        if values.shape == probe.shape and np.allclose(values, reference(probe.astype("float64")), atol=1e-5):
            return known
    return None


def config_activation_name(value) -> str | None:
    """The name of the activation a config value describes (its name, the dict Keras serialises a function
    to, or a function), or None when it describes none Keras knows."""
    if isinstance(value, dict) and set(value) == {"function"}:
        return value["function"]
    try:
        return getattr(keras.activations.get(value), "__name__", None)
    except Exception:  # noqa: BLE001 - a value Keras does not understand describes no activation
        return None


def predict_numpy(model: keras.Model, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Inference outputs of `model` on `x` as a numpy array, batch by batch, without progress output.

    A model that cannot take `x` becomes a CheckFailure naming the shapes, not a traceback.
    """
    try:
        outputs = [np.asarray(model(x[i : i + batch_size], training=False)) for i in range(0, len(x), batch_size)]
    except CheckFailure:
        raise
    except Exception as error:  # noqa: BLE001 - the learner's model runs here
        raise input_failure(model, (None, *x.shape[1:]), error) from None
    return np.concatenate(outputs) if outputs else np.zeros((0,))


def _fmt_shape(shape: Sequence[int | None]) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


fmt_shape = _fmt_shape
