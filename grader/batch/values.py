"""Encoding what a learner's function returned, so it can cross from the untrusted process safely.

The submission process sends values as JSON plus a `.npz` of arrays (loaded with
`allow_pickle=False`) — never pickle, whose loading would run the sender's code. Keras models travel
as their JSON config and weights and are rebuilt by the grader with Keras' safe deserialization after
checking that every class they name is one of Keras' own.
"""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np

MAX_MESSAGE_BYTES = 64 * 1024 * 1024


class NotTransferable(ValueError):
    """A value that cannot leave the submission process (e.g. a custom class instance)."""


def encode(value: Any, arrays: list[np.ndarray], depth: int = 0) -> Any:
    """A JSON-able form of `value`; arrays are appended to `arrays` and referenced by index."""
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
        if array.dtype.kind not in "biuf":
            raise NotTransferable(f"an array of dtype {array.dtype}")
        arrays.append(array)
        return {"array": len(arrays) - 1}
    if isinstance(value, keras.Model):
        return encode_model(value, arrays)
    if isinstance(value, (list, tuple)):
        return {"list" if isinstance(value, list) else "tuple": [encode(v, arrays, depth + 1) for v in value]}
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise NotTransferable("a dict with non-string keys")
        return {"dict": {k: encode(v, arrays, depth + 1) for k, v in value.items()}}
    raise NotTransferable(f"a {type(value).__module__}.{type(value).__name__}")


def encode_model(model, arrays: list[np.ndarray]) -> dict:
    import keras

    if type(model) not in (keras.Sequential, keras.Model) and type(model).__name__ != "Functional":
        raise NotTransferable(
            f"a subclassed model ({type(model).__name__}); batch grading rebuilds only Sequential and "
            "functional models"
        )
    if any(isinstance(layer, keras.layers.Lambda) for layer in model._flatten_layers(include_self=False)):
        raise NotTransferable("a model with a Lambda layer (Python code, which batch grading does not rebuild)")
    try:
        config = model.to_json()
    except Exception as error:  # noqa: BLE001 - Keras cannot write the config of some models
        raise NotTransferable(f"a model whose config Keras cannot write ({type(error).__name__})") from None
    weights = [np.asarray(w) for w in model.get_weights()] if model.built else []
    start = len(arrays)
    arrays.extend(weights)
    return {"model": config, "weights": list(range(start, len(arrays))), "compiled": compile_config_json(model)}


def compile_config_json(model) -> str | None:
    """The model's compile settings as JSON, or None if it is not compiled."""
    if not getattr(model, "compiled", False):
        return None
    try:
        return json.dumps(model.get_compile_config())
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


def _only_keras_classes(node: Any) -> None:
    """Refuse configs naming modules outside Keras or registered (custom) classes."""
    if isinstance(node, dict):
        module = node.get("module")
        if module is not None and not (isinstance(module, str) and (module == "keras" or module.startswith("keras."))):
            raise NotTransferable(f"a class from module {module!r}")
        if node.get("registered_name") not in (None, node.get("class_name")) and "class_name" in node:
            raise NotTransferable(f"the registered class {node.get('registered_name')!r}")
        if node.get("class_name") in {"Lambda", "TFSMLayer"}:
            raise NotTransferable(f"a {node['class_name']} layer")
        for value in node.values():
            _only_keras_classes(value)
    elif isinstance(node, list):
        for value in node:
            _only_keras_classes(value)


def rebuild_model(config_json: str, weights: list[np.ndarray], compile_config: str | None = None):
    """A model rebuilt from its JSON config with Keras' safe deserialization, weights restored."""
    import keras

    _only_keras_classes(json.loads(config_json))
    model = keras.models.model_from_json(config_json)
    if weights:
        if not model.built or len(model.weights) != len(weights):
            raise NotTransferable("weights that do not fit the rebuilt model")
        model.set_weights(weights)
    if compile_config:
        apply_compile_config(model, compile_config)
    return model


def apply_compile_config(model, compile_config: str) -> None:
    config = json.loads(compile_config)
    _only_keras_classes(config)
    model.compile_from_config(config)


def pack(header: dict, arrays: list[np.ndarray]) -> bytes:
    """One message: 8-byte header length, the JSON header, then an .npz of the arrays."""
    head = json.dumps(header).encode()
    buffer = io.BytesIO()
    np.savez(buffer, *arrays)
    return len(head).to_bytes(8, "big") + head + buffer.getvalue()


def unpack(message: bytes) -> tuple[dict, list[np.ndarray]]:
    """Inverse of `pack`, with no code execution: JSON and pickle-free npz only."""
    if len(message) > MAX_MESSAGE_BYTES:
        raise ValueError("message too large")
    size = int.from_bytes(message[:8], "big")
    header = json.loads(message[8 : 8 + size].decode())
    with np.load(io.BytesIO(message[8 + size :]), allow_pickle=False) as npz:
        arrays = [npz[f"arr_{i}"] for i in range(len(npz.files))]
    if not isinstance(header, dict):
        raise ValueError("malformed header")
    return header, arrays
