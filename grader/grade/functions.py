"""Functions of the learner's own inside a returned model, judged by what they compute.

A model's config names Keras' own activations and losses; a Python function of the learner's (an
activation `lambda z: z`, `tf.nn.relu`, a loss `def my_loss(y_true, y_pred): ...`) is code, which the
trusted process never runs and Keras' safe deserialisation refuses. So, with commit-then-challenge
(grader.grade.challenge):

1. **Commit** (the student's process, `commit_activations`, `commit_loss`): each such function is traced
   as a TensorFlow graph on one input (an activation takes a `(batch, units)` float tensor; a loss takes
   `[label, score_1 … score_C]` rows and returns `fn(labels, scores)`) and saved with the file's other
   commitments; the config that is sent names it by a marker `{"committed_function": k, "kind": ...}`.
2. **Challenge** (`function_items`): the grader draws inputs the student's process never saw and runs
   each committed graph on them in the confined challenger.
3. **Identify** (trusted, `resolve_functions`): the marker is replaced by the Keras activation or
   cross-entropy that gives the same outputs on those inputs; the checks then judge that Keras object
   as they judge any other. A function that computes none of them stays unresolved, and rebuilding
   the model fails with a message that says so (grader.grade.values).
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

MARKER = "committed_function"
UNRESOLVED = "unresolved_function"
ACTIVATION, LOSS, LAMBDA = "activation", "loss", "Lambda function"  # LAMBDA: a Lambda layer's function
ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh", "softmax", "elu", "selu", "softplus", "softsign", "silu", "gelu",
               "exponential", "leaky_relu", "relu6", "hard_sigmoid", "mish", "log_softmax")
FLATTENED = "flattened_lambda"  # what a Lambda function that flattens each example resolves to
CHALLENGED = "challenged_lambda"  # an identified Lambda function, with the example shape it was challenged on
DEFAULT_LAMBDA_SHAPE = (12,)  # a Lambda marker's challenge shape when its process names no plausible one
MAX_LAMBDA_VALUES = 65_536  # a Lambda function is challenged on 8 examples of its layer's input shape, at most this big
# What the grader challenges of one exercise's part at most (the markers are the process's word: a reply may
# hold a hundred thousand of them, and each would cost the grader's own process a drawn input)
MAX_FUNCTIONS = 64
MAX_CHALLENGE_VALUES = 4 * 8 * MAX_LAMBDA_VALUES  # in all the inputs drawn for one part (8 MB of float32)
CLASSES = 10  # the loss is challenged on scores for this many classes (every exercise that compiles has 10)


def keras_module(module: Any) -> bool:
    """Whether `module` (a `__module__`, or a config's "module") names Keras or one of its modules."""
    return isinstance(module, str) and (module == "keras" or module.startswith("keras."))


def _keras_own(fn: Any) -> bool:
    """Whether `fn` is Keras' own (a function of keras.activations, a keras.layers object…): its config
    then names it, and the trusted process rebuilds it without running any of the learner's code."""
    own = isinstance(fn, type) or hasattr(fn, "__code__") or type(fn).__name__ == "builtin_function_or_method"
    return keras_module(getattr(fn, "__module__", None) if own else type(fn).__module__)  # an object: its class


def keras_activations() -> dict:
    """Keras' activation functions by name: what a function name in a config rebuilds to, first."""
    from keras.src.activations import ALL_OBJECTS_DICT

    return ALL_OBJECTS_DICT


# keras.ops functions that compute what the keras.activations function of the same name computes (a Lambda's
# config names its function by name alone, and Keras rebuilds that name from keras.activations).
_OPS_AS_ACTIVATIONS = ("relu", "sigmoid", "tanh", "softmax")


def keras_function_lambda(layer) -> bool:
    """Whether a Lambda layer applies one of Keras' activations and nothing else: its config then names
    the function, which Keras rebuilds from keras.activations, and no Python code travels."""
    import keras

    function, name = layer.function, getattr(layer.function, "__name__", None)
    if not isinstance(name, str) or layer.arguments or callable(getattr(layer, "_output_shape", None)) \
            or layer.mask is not None:
        return False
    return function is keras_activations().get(name) or \
        (name in _OPS_AS_ACTIVATIONS and function is getattr(keras.ops, name, None))


# 1. commit (the student's process) ---------------------------------------------------------------------

class NotCommittable(ValueError):
    """A model whose functions of the learner's own cannot be named unambiguously in its config."""


@contextlib.contextmanager
def committed_activations(model, commit) -> Iterator[dict[str, int]]:
    """Inside the block, every layer activation of `model` that is not Keras' own, and every Lambda layer's
    function that is not one of Keras' activations, is committed to `commit` (a
    grader.grade.challenge.Commitments) and swapped for `linear`, so that Keras can write the config
    without Python code; yields {layer name: commitment k}. The functions are restored on leaving."""
    import keras

    swapped: list[tuple[Any, Any]] = []
    lambdas: list[tuple[Any, Any]] = []
    committed: dict[str, int] = {}
    layers = list(model._flatten_layers(include_self=False))
    names = Counter(layer.name for layer in layers)

    def named_once(layer) -> None:  # markers are placed by name: another layer of that name would take it too
        if names[layer.name] > 1:
            raise NotCommittable(f"two layers named {layer.name!r}, one with a function of your own (a nested model "
                                  "may reuse a name); give them names of their own")

    try:
        for layer in layers:
            if isinstance(layer, keras.layers.Lambda) and not keras_function_lambda(layer):
                named_once(layer)
                function, arguments = layer.function, dict(layer.arguments or {})
                shape = _input_shape(layer)
                k = commit.function((lambda t, f=function, a=arguments: f(t, **a)) if arguments else function, shape,
                                    "float32")
                committed[layer.name] = (k, list(shape[1:]))
                lambdas.append((layer, (function, layer.arguments)))
                layer.function, layer.arguments = keras.activations.linear, {}
                continue
            fn = getattr(layer, "activation", None)
            if fn is None or not callable(fn) or _keras_own(fn) or isinstance(layer, keras.layers.Activation):
                continue
            named_once(layer)
            committed[layer.name] = commit.function(fn, (None, None), "float32")
            swapped.append((layer, fn))
            layer.activation = keras.activations.linear
        yield committed
    finally:
        for layer, fn in swapped:
            layer.activation = fn
        for layer, (function, arguments) in lambdas:
            layer.function, layer.arguments = function, arguments


def _input_shape(layer) -> tuple:
    """The shape a Lambda layer of a built model takes, `(None, None)` if Keras does not know it."""
    try:
        shape = tuple(layer.input.shape)
    except Exception:  # noqa: BLE001 - a layer called more than once, or never, has no one input
        return (None, None)
    ok = len(shape) >= 2 and all(isinstance(d, int) and d > 0 for d in shape[1:])
    return shape if ok else (None, None)


def mark_activations(config_json: str, committed: dict[str, Any]) -> str:
    """The model config with each committed layer's activation (a Lambda layer's function) replaced by its
    marker."""
    if not committed:
        return config_json
    config = json.loads(config_json)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            inner = node.get("config")
            found = committed.get(inner.get("name")) if isinstance(inner, dict) else None
            if isinstance(found, int) and "activation" in inner:
                inner["activation"] = {MARKER: found, "kind": ACTIVATION}
            elif isinstance(found, tuple) and node.get("class_name") == "Lambda":
                inner["function"] = {MARKER: found[0], "kind": LAMBDA, "shape": found[1]}
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(config)
    return json.dumps(config)


def commit_loss(model, compile_config: dict, commit) -> dict:
    """`compile_config` with a loss that is not Keras' own committed to `commit` and replaced by its
    marker (a list or dict of losses, for several outputs, is left as it is)."""
    loss = getattr(model, "loss", None)
    if loss is None or isinstance(loss, (str, dict, list, tuple)) or not callable(loss) or _keras_own(loss):
        return compile_config
    k = commit.function(_LossOnRows(loss), (None, None), "float32")
    return {**compile_config, "loss": {MARKER: k, "kind": LOSS}}


class _LossOnRows:
    """A loss as a function of one tensor: column 0 holds the integer label, the rest the scores."""

    def __init__(self, loss) -> None:
        self.loss = loss

    def __call__(self, rows):
        import tensorflow as tf

        return self.loss(tf.cast(rows[:, 0], "int32"), rows[:, 1:])


# 2. challenge (inputs drawn by the grader) ---------------------------------------------------------------

@dataclass
class FunctionSecret:
    """A committed function to challenge: its commitment `k`, its kind, and the input the grader drew."""

    k: int
    kind: str
    x: np.ndarray


def function_secrets(results: dict, rng: np.random.Generator) -> dict[int, FunctionSecret]:
    """A challenge input for each function marker in the answers `results` (probe key -> entry), for at most
    MAX_FUNCTIONS markers and MAX_CHALLENGE_VALUES values in all (in the order the markers appear)."""
    found: dict[int, tuple[str, tuple[int, ...]]] = {}

    def note(marker: dict) -> None:
        k, kind = marker.get(MARKER), marker.get("kind")
        if type(k) is int and kind in (ACTIVATION, LOSS, LAMBDA):  # anything else stays a marker: rebuilding refuses it
            found.setdefault(k, (kind, _lambda_shape(marker.get("shape")) if kind == LAMBDA else (12,)))

    _rewrite(results, note)
    secrets, values = {}, 0
    for k, (kind, shape) in found.items():
        values += 8 * int(np.prod(shape)) if kind in (ACTIVATION, LAMBDA) else 16 * (CLASSES + 1)
        if len(secrets) == MAX_FUNCTIONS or values > MAX_CHALLENGE_VALUES:
            break  # the rest stay markers: rebuilding refuses them, saying the grader did not challenge them
        if kind in (ACTIVATION, LAMBDA):
            x = rng.normal(0.0, 2.5, size=(8, *shape)).astype("float32")
        else:
            x = _loss_challenge(rng)
        secrets[k] = FunctionSecret(k, kind, x)
    return secrets


def _loss_challenge(rng: np.random.Generator) -> np.ndarray:
    """`[label, score_1 … score_C]` rows, the scores probabilities (grader.checks.inputs.probability_rows:
    every correct way to write a loss of probabilities agrees on them), on which the cross-entropy of the
    scores read as logits and read as probabilities differ by at least 2 % (drawn again until they do, so
    that a loss of the learner's own is never identified as the other one)."""
    from grader.checks.inputs import probability_rows

    while True:
        labels = rng.integers(0, CLASSES, size=16)
        scores = probability_rows(rng, 16)
        right = scores[np.arange(16), labels].astype("float64")
        as_logits = float(np.mean(np.log(np.exp(scores.astype("float64")).sum(axis=1)) - right))
        as_probabilities = float(np.mean(-np.log(right)))
        if abs(as_logits - as_probabilities) > 0.02 * max(as_logits, as_probabilities):
            return np.concatenate([labels[:, None].astype("float32"), scores], axis=1)


def _lambda_shape(shape: Any) -> tuple[int, ...]:
    """The example shape a Lambda marker names (the process's word), if it is a plausible one; else
    DEFAULT_LAMBDA_SHAPE. Every call of the rebuilt layer must receive that shape (grader.grade.lambda_shapes)."""
    if isinstance(shape, list) and 1 <= len(shape) <= 4 and all(type(d) is int and 0 < d <= MAX_LAMBDA_VALUES
                                                                for d in shape) \
            and int(np.prod(shape)) <= MAX_LAMBDA_VALUES:
        return tuple(shape)
    return DEFAULT_LAMBDA_SHAPE


# 3. identify (trusted) -----------------------------------------------------------------------------------

def resolve_functions(results: dict, secrets: dict[int, FunctionSecret], measured: dict[int, Any]) -> None:
    """Replace each marker in `results` (in place) by the Keras function whose outputs on the grader's
    input equal the committed graph's (`measured`: k -> output array, or why there is none)."""
    resolved = {}
    for k, secret in secrets.items():
        got = measured.get(k)
        if not isinstance(got, np.ndarray):
            why = got if isinstance(got, str) else "the graph your process committed to did not run"
            resolved[k] = {UNRESOLVED: secret.kind, "why": why[:300]}
            continue
        found = _identify(secret, got)
        if found is not None and secret.kind == LAMBDA:  # what it computes holds for examples of this shape only
            found = {CHALLENGED: found, "shape": list(secret.x.shape[1:])}
        resolved[k] = found if found is not None else {
            UNRESOLVED: secret.kind, "why": f"it computes none of Keras' {'cross-entropies' if secret.kind == LOSS else 'activations'} on the grader's inputs"}

    def replace(marker: dict) -> Any:
        found = resolved.get(marker.get(MARKER)) if type(marker.get(MARKER)) is int else None
        return found if found is not None else {
            UNRESOLVED: "function", "why": f"the grader challenges at most {MAX_FUNCTIONS} functions of your own in one "
                                          "exercise, and this one was not among them"}

    _rewrite(results, replace)


def _identify(secret: FunctionSecret, got: np.ndarray) -> Any:
    import keras

    if secret.kind in (ACTIVATION, LAMBDA):
        for name in ACTIVATIONS:
            try:
                expected = np.asarray(keras.ops.convert_to_numpy(keras.activations.get(name)(secret.x)))
            except Exception:  # noqa: BLE001 - an activation this Keras lacks
                continue
            if expected.shape == got.shape and np.allclose(got, expected, rtol=1e-4, atol=1e-5):
                # a Lambda layer's function as Keras writes a function of keras.activations (values.py)
                return name if secret.kind == ACTIVATION else \
                    {"module": "builtins", "class_name": "function", "config": name, "registered_name": "function"}
        flat = secret.x.reshape(len(secret.x), -1)
        if secret.kind == LAMBDA and secret.x.ndim > 2 and got.shape == flat.shape and np.array_equal(got, flat):
            return {FLATTENED: True}  # each example's values in row-major order: the lesson's Flatten
        return None
    labels, scores = secret.x[:, 0].astype("int32"), secret.x[:, 1:]
    for from_logits in (True, False):
        per_example = np.asarray(keras.ops.convert_to_numpy(
            keras.losses.sparse_categorical_crossentropy(labels, scores, from_logits=from_logits)))
        for reduction, value in (("sum_over_batch_size", per_example), ("sum_over_batch_size", per_example.mean()),
                                 ("sum", per_example.sum())):
            if np.shape(got) == np.shape(value) and np.allclose(got, value, rtol=1e-4, atol=1e-5):
                loss = keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits, reduction=reduction)
                return keras.losses.serialize(loss)
    return None


def _rewrite(results: Any, replace) -> None:
    """Apply `replace(marker)` to every marker inside the model configs and compile configs of `results`
    (JSON strings under "model" and "compiled" keys), writing back what it returns (unless None)."""

    def in_json(text: Any) -> Any:
        if not isinstance(text, str) or MARKER not in text:
            return text
        from grader.grade.nesting import MAX_DEPTH, json_depth

        try:
            node = json.loads(text)
        except (ValueError, RecursionError):  # the student's process wrote it: nested too deeply, or not JSON
            return text
        return text if json_depth(node) > MAX_DEPTH else json.dumps(walk(node))

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if MARKER in node:
                new = replace(node)
                return node if new is None else new
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    def visit(node: Any, depth: int = 0) -> None:
        if depth > 64:
            return
        if isinstance(node, dict):
            for key, value in list(node.items()):
                if key in ("model", "compiled") and isinstance(value, str):
                    node[key] = in_json(value)
                elif key == "compiled" and isinstance(value, list):
                    node[key] = [in_json(v) for v in value]
                else:
                    visit(value, depth + 1)
        elif isinstance(node, list):
            for value in node:
                visit(value, depth + 1)

    visit(results)
