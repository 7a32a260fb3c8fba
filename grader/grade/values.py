"""Encoding what a learner's function returned, so it can cross from the untrusted process safely.

The submission process sends values as JSON plus a `.npz` of arrays (loaded with
`allow_pickle=False`) — never pickle, whose loading would run the sender's code. Keras models travel
as their JSON config and weights and are rebuilt by the grader with Keras' safe deserialization after
checking that every class they name is one of Keras' own.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import zipfile
from typing import Any

import numpy as np

from grader.grade.functions import (
    CHALLENGED,
    FLATTENED,
    NotCommittable,
    keras_activations,
    keras_function_lambda,
    keras_module,
)
from grader.grade.lambda_shapes import shape_problem
from grader.grade.nesting import MAX_DEPTH, json_depth

MAX_MESSAGE_BYTES = 64 * 1024 * 1024
MAX_HEADER_BYTES = 16 * 1024 * 1024
MAX_ARRAYS = 10_000
ARRAY_KINDS = "biuf"  # bool, signed and unsigned integers, floats: all a learner's values need


class NotTransferable(ValueError):
    """A value that cannot leave the submission process (e.g. a custom class instance)."""


def encode(value: Any, arrays: list[np.ndarray], depth: int = 0, commit=None) -> Any:
    """A JSON-able form of `value`; arrays are appended to `arrays` and referenced by index. With `commit`
    (a grader.grade.challenge.Commitments), a model's activations and loss of the learner's own are
    committed there and named by markers (grader.grade.functions)."""
    import keras

    if depth > 20:
        raise NotTransferable("the value is nested too deeply")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return {"int": str(int(value))}
    if isinstance(value, (float, np.floating)):
        return {"float": repr(float(value))}
    if isinstance(value, np.ndarray) or hasattr(value, "__array__") and not isinstance(value, keras.Model):
        array = np.asarray(value)
        if array.dtype.kind not in ARRAY_KINDS:
            raise NotTransferable(f"an array of dtype {array.dtype}")
        arrays.append(array)
        return {"array": len(arrays) - 1}
    if isinstance(value, keras.Model):
        return encode_model(value, arrays, commit)
    if isinstance(value, (list, tuple)):
        return {"list" if isinstance(value, list) else "tuple": [encode(v, arrays, depth + 1, commit) for v in value]}
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise NotTransferable("a dict with non-string keys")
        return {"dict": {k: encode(v, arrays, depth + 1, commit) for k, v in value.items()}}
    raise NotTransferable(f"a {type(value).__module__}.{type(value).__name__}")


def encode_model(model, arrays: list[np.ndarray], commit=None) -> dict:
    import keras

    from grader.grade.functions import committed_activations, mark_activations

    if type(model) not in (keras.Sequential, keras.Model) and type(model).__name__ != "Functional":
        raise NotTransferable(
            f"a subclassed model ({type(model).__name__}); batch grading rebuilds only Sequential and "
            "functional models"
        )
    if commit is None and any(not keras_function_lambda(layer) for layer in lambda_layers(model)):
        raise NotTransferable("a model with a Lambda layer of Python code, which batch grading does not rebuild "
                              "(a Lambda of a Keras activation, such as Lambda(keras.activations.relu), it does)")
    try:
        with committed_activations(model, commit) if commit is not None else contextlib.nullcontext({}) as committed:
            config = mark_activations(model.to_json(), committed)
    except NotCommittable as error:
        raise NotTransferable(str(error)) from None
    except Exception as error:  # noqa: BLE001 - Keras cannot write the config of some models
        raise NotTransferable(f"a model whose config Keras cannot write ({type(error).__name__})") from None
    weights = [np.asarray(w) for w in model.get_weights()] if model.built else []
    start = len(arrays)
    arrays.extend(weights)
    return {"model": config, "weights": list(range(start, len(arrays))), "compiled": compile_config_json(model, commit)}


def functional_equivalent(model, input_shape: tuple[int, ...] | None = None):
    """A functional keras.Model that computes what `model` (subclassed, or holding Lambda layers or layers
    of the learner's own classes) computes, sharing its layers and weights: its `call` run once on
    symbolic keras.Inputs, which records each Keras layer and `keras.ops` operation it calls as a node.
    A layer of the learner's own class that holds no weights of its own (an encoder made of Keras layers)
    runs its `call` right there, so that what it calls becomes nodes too, and a layer called twice shares
    its Keras layers, as it shares itself. With an `input_shape`, the inputs are one `(None,
    *input_shape)` tensor and Lambda layers run their functions there too (exercise 11's capstone, whose
    manifest entry names the shape); without, the inputs are copies of the model's own (their names,
    shapes and structure) and Lambda layers stay nodes, for the grader to challenge. A model of Keras'
    own classes then travels as config and weights like any functional model, and the grader rebuilds,
    re-initialises and trains it in its own process. NotTransferable, saying why, if `call` cannot run on
    a symbolic input (e.g. Python that reads the input's values).

    The returned config is the process's word, as any returned model is: a process that sent another
    model than its class computes has only answered with that other model."""
    import keras

    from grader.checks.graph import api_of
    from grader.checks.introspect import ensure_built, variables_of

    what = f"a subclassed model ({type(model).__name__})" if api_of(model) == "subclassed" else \
        "a model with a Lambda layer" if input_shape is not None and has_lambda_layer(model) else \
        f"a model with a layer of your own class ({', '.join(sorted({type(o).__name__ for o in own_layers(model)}))})"
    try:
        if input_shape is not None:
            ensure_built(model, tuple(input_shape))
            inputs = keras.Input(shape=tuple(input_shape))
            with _lambdas_inlined(), _own_layers_inlined():
                outputs = model.call(inputs)
            functional = keras.Model(inputs, outputs, name=model.name)
        else:
            functional = _graph_traced(model, training=False)
            if any("training" in _parameters(layer) for layer in own_layers(model) if inlinable(layer)) and \
                    _operations(_graph_traced(model, training=True)) != _operations(functional):
                raise NotTransferable(
                    f"{what} whose call() runs other layers or operations when training than when predicting; "
                    "batch grading rebuilds what a call() computes only when it is the same in both")
    except NotTransferable:
        raise
    except ValueError as error:
        clash = "name" in str(error) and "unique" in str(error)
        raise NotTransferable(
            f"{what} holding two Keras layers of one name: batch grading puts the layers your classes call in "
            "one graph, where names must be unique; name them apart or leave them unnamed" if clash else
            _untraceable(what, model, input_shape, error)) from None
    except Exception as error:  # noqa: BLE001 - the learner's call() runs on a symbolic input here
        raise NotTransferable(_untraceable(what, model, input_shape, error)) from None
    if {id(v) for v in functional.weights} != {id(v) for v in variables_of(model)}:
        raise NotTransferable(
            f"{what} whose call() computes with other weights than the model holds (a Keras layer it calls but "
            "does not keep as an attribute, or one it keeps but never calls); batch grading rebuilds a model "
            "only from the layers it holds")
    return functional


def _untraceable(what: str, model, input_shape, error: BaseException) -> str:
    shape = (None, *input_shape) if input_shape is not None else None
    with contextlib.suppress(Exception):  # a model whose inputs Keras cannot list: no shape to name
        shape = shape or [tuple(t.shape) for t in model.inputs]
    return (f"{what} whose computation the grader could not trace on a symbolic input of shape {shape} "
            f"({type(error).__name__}); batch grading rebuilds models whose call() and Lambda functions use only "
            "Keras layers and keras.ops")


def _graph_traced(model, training: bool):
    """`model`'s graph (a functional model's) run node by node on copies of its inputs, its own layers'
    calls inlined with `training` (Functional.call would add a convert_to_tensor node per input)."""
    import keras

    inputs = keras.tree.map_structure(_input_like, model._inputs_struct)
    with _own_layers_inlined(training):
        outputs = model._run_through_graph(keras.tree.flatten(inputs), operation_fn=lambda op: op)
    return keras.Model(inputs, outputs, name=model.name)


def _operations(model) -> list[str]:
    return [type(operation).__name__ for operation in model.operations]


def _parameters(layer) -> dict:
    import inspect

    return dict(inspect.signature(layer.call).parameters)


def _input_like(tensor):
    """A new keras.Input with `tensor`'s shape, dtype and name (an unnamed one stays unnamed)."""
    import keras

    from grader.checks.graph import AUTO_TENSOR_NAME

    name = None if AUTO_TENSOR_NAME.fullmatch(tensor.name) else tensor.name
    return keras.Input(batch_shape=tuple(tensor.shape), dtype=tensor.dtype, name=name)


@contextlib.contextmanager
def _lambdas_inlined():
    """While it lasts, a Lambda layer runs its function on what it is called on instead of adding one
    Lambda node (Python, which the grader does not rebuild) to the graph being traced."""
    import keras

    original = keras.layers.Lambda.__call__

    def inline(self, inputs, *args, **kwargs):
        return self.function(inputs, **(self.arguments or {}))

    keras.layers.Lambda.__call__ = inline
    try:
        yield
    finally:
        keras.layers.Lambda.__call__ = original


@contextlib.contextmanager
def _own_layers_inlined(training: bool | None = None):
    """While it lasts, a layer of the learner's own class with no weights of its own (`inlinable`) runs its
    `call` on what it is called on instead of adding one node of a class the grader does not rebuild; the
    arguments its `call` does not take (Keras' `mask`) are left out, as Keras leaves them out, and one that
    takes `training` is given `training` when the call did not say. A layer the learner named keeps its
    name on what it returns: a Keras `Identity` layer of that name (one per layer, shared by its calls),
    so that an output named by it is still named so."""
    import inspect

    import keras

    from grader.checks.introspect import given_name

    original = keras.layers.Layer.__call__
    identities: dict[int, object] = {}

    def inline(self, *args, **kwargs):
        if not inlinable(self):
            return original(self, *args, **kwargs)
        parameters = _parameters(self)
        if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
            kwargs = {key: value for key, value in kwargs.items() if key in parameters}
        if "training" in parameters and kwargs.get("training") is None and training is not None:
            kwargs["training"] = training
        outputs = self.call(*args, **kwargs)
        name = given_name(self)
        if name is None:
            return outputs
        identity = identities.setdefault(id(self), keras.layers.Identity(name=name))
        return keras.tree.map_structure(identity, outputs)

    keras.layers.Layer.__call__ = inline
    try:
        yield
    finally:
        keras.layers.Layer.__call__ = original


def own_class(layer) -> bool:
    """Whether `layer` is of a class of the learner's own (defined outside Keras), a Model subclass included."""
    return not keras_module(type(layer).__module__)


def inlinable(layer) -> bool:
    """A layer of the learner's own class that holds no weights of its own (only its Keras sublayers do):
    its `call` can run in the graph being traced. A layer that made weights itself (`add_weight`) cannot:
    no Keras class holds them."""
    return own_class(layer) and not layer._trainable_variables and not layer._non_trainable_variables


def own_layers(model) -> list:
    """The layers of the learner's own classes inside `model`, at any depth."""
    return [layer for layer in model._flatten_layers(include_self=False) if own_class(layer)]


def lambda_layers(model) -> list:
    import keras

    return [layer for layer in model._flatten_layers(include_self=False) if isinstance(layer, keras.layers.Lambda)]


def has_lambda_layer(model) -> bool:
    return bool(lambda_layers(model))


def compile_config_json(model, commit=None) -> str | None:
    """The model's compile settings as JSON, or None if it is not compiled. With `commit`, a loss of the
    learner's own is committed there and named by a marker (grader.grade.functions.commit_loss)."""
    from grader.grade.functions import commit_loss

    if not getattr(model, "compiled", False):
        return None
    try:
        config = model.get_compile_config()
        return json.dumps(commit_loss(model, config, commit) if commit is not None else config)
    except Exception as error:  # noqa: BLE001
        raise NotTransferable(f"the compile settings ({type(error).__name__}: {error})") from None


def decode(data: Any, arrays: list[np.ndarray]) -> Any:
    """The value `encode` described; Keras models are rebuilt safely (see `rebuild_model`)."""
    if data is None or isinstance(data, (bool, str)):
        return data
    if not isinstance(data, dict) or len(data) not in (1, 3):
        raise ValueError("malformed value")
    if "int" in data:
        return int(data["int"])
    if "float" in data:
        return float(data["float"])
    if "array" in data:
        return arrays[int(data["array"])]
    if "list" in data:
        return [decode(v, arrays) for v in data["list"]]
    if "tuple" in data:
        return tuple(decode(v, arrays) for v in data["tuple"])
    if "dict" in data:
        return {str(k): decode(v, arrays) for k, v in data["dict"].items()}
    if "model" in data:
        return rebuild_model(data["model"], [arrays[int(i)] for i in data["weights"]], data.get("compiled"))
    raise ValueError("malformed value")


def shift_arrays(data: Any, offset: int, depth: int = 0) -> Any:
    """`data` (as `encode` wrote it) with every array index moved by `offset`: answers encoded one at a
    time, each with its own arrays, joined into one list of arrays."""
    if depth > 64:
        raise ValueError("a value nested too deeply")
    if isinstance(data, list):
        return [shift_arrays(v, offset, depth + 1) for v in data]
    if not isinstance(data, dict):
        return data
    shifted = {k: shift_arrays(v, offset, depth + 1) for k, v in data.items()}
    if set(data) == {"array"} and type(data["array"]) is int:
        shifted["array"] = data["array"] + offset
    if "model" in data and isinstance(data.get("weights"), list):
        shifted["weights"] = [int(i) + offset for i in data["weights"]]
    return shifted


# The Keras modules whose functions a config may name (as an activation, a loss, a metric): functions of
# tensors. Any other Keras function would be called on a tensor in the trusted verifier, and some change the
# whole process: keras.config.set_max_epochs caps every later fit (a cache poisoned for the next student).
PURE_FUNCTION_MODULES = ("activations", "ops", "losses", "metrics")


def _pure_function_module(module: Any) -> bool:
    """Whether `module` is keras.X or keras.src.X(.…) for an X in PURE_FUNCTION_MODULES."""
    parts = module.split(".") if isinstance(module, str) else []
    inner = parts[2:3] if parts[1:2] == ["src"] else parts[1:2]
    return parts[:1] == ["keras"] and bool(inner) and inner[0] in PURE_FUNCTION_MODULES


def _exported_function(module: str, name: Any) -> bool:
    """Whether Keras' deserialisation finds something other than a class under `module`.`name` in its table of
    exported names (`keras.config.set_max_epochs`: it would hand back the function itself, to be called,
    say as an activation, in the grader's own process). Anything not in the table it resolves only to a
    class of its own (KerasSaveable), or not at all."""
    from keras.src import api_export

    try:
        found = api_export.get_symbol_from_name(f"{module}.{name}")
    except Exception:  # noqa: BLE001 - a name Keras' table cannot look up: Keras' own rules decide
        return False
    return found is not None and not isinstance(found, type)


def _only_keras_classes(node: Any) -> None:
    """Refuse configs naming modules outside Keras, registered (custom) classes, Lambda and TFSMLayer
    layers, or functions outside PURE_FUNCTION_MODULES."""
    from grader.grade.functions import MARKER, UNRESOLVED

    if isinstance(node, dict):
        if UNRESOLVED in node:
            raise NotTransferable(f"a{'n' if node[UNRESOLVED] == 'activation' else ''} {node[UNRESOLVED]} of your own "
                                  f"that the grader could not identify ({str(node.get('why', ''))[:300]})")
        if MARKER in node:
            raise NotTransferable("a function of your own that the grader did not challenge")
        module = node.get("module")
        if module is not None and not keras_module(module):
            raise NotTransferable(f"a class from module {module!r}")
        if node.get("registered_name") not in (None, node.get("class_name")) and "class_name" in node:
            raise NotTransferable(f"the registered class {node.get('registered_name')!r}")
        if module is not None and node.get("class_name") != "function" and _exported_function(module, node.get("class_name")):
            raise NotTransferable(f"the function {module}.{node['class_name']} where a class belongs")
        if node.get("class_name") == "Lambda" and _activation_lambda_config(node.get("config")):
            _only_keras_classes(node["config"].get("dtype"))
            return
        function = node.get("config", {}).get("function") if isinstance(node.get("config"), dict) else None
        if node.get("class_name") == "Lambda" and isinstance(function, dict) and UNRESOLVED in function:
            _only_keras_classes(function)  # a committed function the grader could not identify: it says why
        if node.get("class_name") in {"Lambda", "TFSMLayer"}:
            raise NotTransferable(f"a {node['class_name']} layer")
        if node.get("class_name") == "function" and not _pure_function_module(module):
            raise NotTransferable(f"the function {str(node.get('config'))[:80]!r} of module {module!r}, which is not "
                                  "a Keras activation, operation, loss or metric")
        for value in node.values():
            _only_keras_classes(value)
    elif isinstance(node, list):
        for value in node:
            _only_keras_classes(value)


_LAMBDA_KEYS = {"name", "trainable", "dtype", "function", "arguments", "output_shape", "mask"}


def _activation_lambda_config(config: Any) -> bool:
    """Whether a Lambda layer's config applies a Keras activation named by name (Keras writes
    `{"module": "builtins", "class_name": "function", "config": "relu", ...}` for Lambda(keras.activations.relu)
    and rebuilds the name from keras.activations): no Python code, no arguments, no other function."""
    if not isinstance(config, dict) or not set(config) <= _LAMBDA_KEYS:
        return False
    function = config.get("function")
    if not isinstance(function, dict) or set(function) - {"module", "class_name", "config", "registered_name"} or \
            (function.get("module"), function.get("class_name")) != ("builtins", "function"):
        return False
    name = function.get("config")
    return isinstance(name, str) and name in keras_activations() and config.get("arguments") in (None, {}) \
        and config.get("output_shape") is None and config.get("mask") is None


def _flatten_layers_for_lambdas(node: Any) -> Any:
    """The config with each Lambda layer whose function the grader found to flatten each example
    (grader.grade.functions) written as the Flatten layer it computes, under the same name."""
    if isinstance(node, list):
        return [_flatten_layers_for_lambdas(value) for value in node]
    if not isinstance(node, dict):
        return node
    config = node.get("config")
    if node.get("class_name") == "Lambda" and isinstance(config, dict) and config.get("function") == {FLATTENED: True}:
        flatten = {"name": config.get("name"), "trainable": True, "dtype": config.get("dtype"),
                   "data_format": "channels_last"}
        return {**node, "module": "keras.layers", "class_name": "Flatten", "registered_name": None, "config": flatten}
    return {key: _flatten_layers_for_lambdas(value) for key, value in node.items()}


def _challenged_in_place(node: Any, found: list[tuple[str, tuple]]) -> Any:
    """The config with each Lambda function the grader identified (grader.grade.functions.resolve_functions)
    written as what it computes; appends (layer name, example shape it was challenged on) to `found`."""
    if isinstance(node, list):
        return [_challenged_in_place(value, found) for value in node]
    if not isinstance(node, dict):
        return node
    config = node.get("config")
    function = config.get("function") if isinstance(config, dict) else None
    if node.get("class_name") == "Lambda" and isinstance(function, dict) and CHALLENGED in function:
        shape = function.get("shape")
        found.append((str(config.get("name")), tuple(shape) if isinstance(shape, list) else ()))
        return {**node, "config": {**config, "function": function[CHALLENGED]}}
    return {key: _challenged_in_place(value, found) for key, value in node.items()}


def rebuild_model(config_json: str, weights: list[np.ndarray], compile_config: str | None = None):
    """A model rebuilt from its JSON config with Keras' safe deserialization, weights restored."""
    import keras

    from grader.checks.training_cache import SENT_MODEL

    config = json.loads(config_json)
    challenged: list[tuple[str, tuple]] = []
    if CHALLENGED in config_json:
        config = _challenged_in_place(config, challenged)
    if FLATTENED in config_json:
        config = _flatten_layers_for_lambdas(config)
    if challenged or FLATTENED in config_json:
        config_json = json.dumps(config)
    _only_keras_classes(config)
    model = keras.models.model_from_json(config_json)
    problem = shape_problem(model, challenged) if challenged else None  # each call on the challenged shape
    if problem:
        raise NotTransferable(problem)
    setattr(model, SENT_MODEL, config_json)  # what a training run's key covers (its get_config may drop arguments)
    if weights:
        if not model.built or len(model.weights) != len(weights):
            raise NotTransferable("weights that do not fit the rebuilt model")
        model.set_weights(weights)
    if compile_config:
        apply_compile_config(model, compile_config)
    return model


def apply_compile_config(model, compile_config: str) -> None:
    from grader.checks.training_cache import SENT_COMPILE

    config = json.loads(compile_config)
    _only_keras_classes(config)
    model.compile_from_config(config)
    setattr(model, SENT_COMPILE, compile_config)  # what a training run's key covers (see rebuild_model)


def pack(header: dict, arrays: list[np.ndarray]) -> bytes:
    """One message: 8-byte header length, the JSON header, then an .npz of the arrays."""
    head = json.dumps(header).encode()
    buffer = io.BytesIO()
    np.savez(buffer, *arrays)
    return len(head).to_bytes(8, "big") + head + buffer.getvalue()


def unpack(message: bytes) -> tuple[dict, list[np.ndarray]]:
    """Inverse of `pack`, with no code execution: JSON and pickle-free npz only.

    The message comes from the student's process, so every size and depth it declares is checked
    before anything is allocated for it: the header's length, its JSON nesting (at most MAX_DEPTH), the
    number of arrays, each array's dtype (bool, integer or float) and declared shape, which must
    account for exactly the bytes that are there. Anything else raises ValueError. JSON's non-numbers
    (NaN, Infinity) come back as strings: no number the grader reads from a header is infinite.
    """
    if len(message) > MAX_MESSAGE_BYTES:
        raise ValueError("message too large")
    if len(message) < 8:
        raise ValueError("message too short")
    size = int.from_bytes(message[:8], "big")
    if size > min(MAX_HEADER_BYTES, len(message) - 8):
        raise ValueError(f"the header declares {size:,} bytes")
    try:
        # NaN and ±Infinity (which Python's json accepts, and int() of which raises OverflowError) stay text
        header = json.loads(message[8 : 8 + size].decode("utf-8"), parse_constant=str)
    except RecursionError:
        raise ValueError("the header is nested too deeply") from None
    if not isinstance(header, dict):
        raise ValueError("malformed header")
    if json_depth(header) > MAX_DEPTH:
        raise ValueError(f"the header is nested more than {MAX_DEPTH} levels deep")
    return header, _read_npz(message[8 + size :])


def _read_npz(blob: bytes) -> list[np.ndarray]:
    """The arrays of an uncompressed `.npz` as `np.savez` writes it, read without trusting its headers."""
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        entries = {entry.filename: entry for entry in archive.infolist()}
        if len(entries) > MAX_ARRAYS:
            raise ValueError(f"{len(entries):,} arrays")
        arrays = []
        for index in range(len(entries)):
            entry = entries.get(f"arr_{index}.npy")
            if entry is None:
                raise ValueError(f"array {index} is missing")
            if entry.compress_type != zipfile.ZIP_STORED or entry.file_size > len(blob):
                raise ValueError(f"array {index} is compressed or larger than the message")
            with archive.open(entry) as member:
                arrays.append(_read_npy(member, entry.file_size, index))
    return arrays


def _read_npy(member, stored: int, index: int) -> np.ndarray:
    version = np.lib.format.read_magic(member)
    read_header = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
    if version not in read_header:
        raise ValueError(f"array {index} has an unknown format version {version}")
    shape, fortran_order, dtype = read_header[version](member, max_header_size=10_000)
    if dtype.kind not in ARRAY_KINDS or dtype.hasobject or dtype.fields is not None:
        raise ValueError(f"array {index} has dtype {dtype}")
    if not all(isinstance(n, int) and n >= 0 for n in shape):
        raise ValueError(f"array {index} declares the shape {shape}")
    declared = math.prod(shape) * dtype.itemsize
    if declared != stored - member.tell():
        raise ValueError(f"array {index} declares {declared:,} bytes but holds {stored - member.tell():,}")
    data = bytearray(member.read(declared))
    if len(data) != declared:
        raise ValueError(f"array {index} is truncated")
    return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran_order else "C")
