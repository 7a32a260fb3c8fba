"""What a saved `.keras` file computes, read by the grader without running any of the learner's code.

Exercise 12 asks for a model saved with a layer class of the learner's own. Whether the file is right is a
fact about the file, so the grader reads the file itself (`read_saved_model`): Keras rebuilds the model
the file describes, with Keras' own classes for Keras' layers and, for the learner's `Standardize`, the
grader's reference layer, built from the `mean` and `std` in that layer's config in the file (the
constructor arguments, as `get_config` must give them). The weights are the file's. The model that
comes out computes what the file holds, whatever the learner's process says or does.

In `course check` this runs in the learner's process, on the file the learner's function wrote. In batch
grading the file's bytes are committed (grader.grade.challenge) and read in the challenger, a confined
process that has none of the learner's code; the grader's secret weights replace the decoys the file
holds there, as they do for committed graphs.

Failures are CheckFailures that depend on the file's contents only (read before any secret is used), so
both paths word them the same way.
"""

from __future__ import annotations

import json
import warnings
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from grader.checks.failure import CheckFailure, error_summary

MAX_FILE_BYTES = 4 * 1024 * 1024  # an exercise 12 model's file is ~25 KB
MAX_CONFIG_BYTES = 1024 * 1024
MAX_CONFIG_DEPTH = 100
_REFERENCE_PACKAGE = "course-grader-reference"
SAVE_HINT = "save the whole model with model.save(path), to a file name ending in .keras, in the directory you were given"
"""The one hint for every way a saved file can be missing or wrong (the in-process checks use it too)."""


def _reference_standardize():
    import keras

    class Standardize(keras.layers.Layer):
        """The grader's Standardize: `(inputs - mean) / std` from the config's `mean` and `std`. Variables the
        learner's layer kept in the file (e.g. mean and std as weights) are not read: the config says what
        rebuilds the layer."""

        def __init__(self, mean, std, **kwargs):
            super().__init__(**{k: kwargs[k] for k in ("name", "trainable", "dtype") if k in kwargs})
            self.shift, self.scale = -_vector(mean, "mean"), 1.0 / _vector(std, "std")

        def call(self, inputs):
            return (inputs + self.shift) * self.scale

        def load_own_variables(self, store):
            pass

    return Standardize


REFERENCES = {"Standardize": _reference_standardize}  # the learner's classes a saved file may hold


def _vector(value: Any, key: str) -> np.ndarray:
    """`value`, a (possibly nested) list of numbers as JSON gives it back, as a float32 array."""
    if isinstance(value, list):
        try:
            array = np.asarray(value, dtype="float32")
        except (TypeError, ValueError):
            pass
        else:
            if array.size <= 1 << 16:
                return array
    raise ValueError(f"'{key}' in the file is a {type(value).__name__}, not a list of numbers")


def expect_small(path: Path) -> int:
    """The file's size in bytes; CheckFailure if it is larger than any model of the exercise's can be."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise CheckFailure(f"the saved file is {size:,} bytes; a model of this exercise takes about 25 KB",
                           hint=SAVE_HINT)
    return size


def read_saved_model(path: Path) -> tuple[Any, list[str]]:
    """The model the `.keras` file at `path` describes, rebuilt with the grader's reference classes, and the
    registered names the file gives the learner's classes (e.g. ["course>Standardize"]). CheckFailure,
    saying what is wrong with the file, if it cannot be read. A copy of the file, with the learner's
    classes renamed to the grader's references, is written next to it and removed again."""
    import keras

    expect_small(path)
    members, config = _read_archive(path)
    learner = _learner_classes(config)
    unknown = sorted({str(node["class_name"])[:40] for node, _ in learner if node["class_name"] not in REFERENCES})
    if unknown:
        raise CheckFailure(f"the saved file holds a class the exercise does not ask for: {', '.join(unknown)[:120]}",
                           expected="Keras' own layers and Standardize", hint=SAVE_HINT)
    for node, _ in learner:
        _expect_constructor_arguments(node)
    custom = {}
    for node, _ in learner:  # Keras prefers a registered class to custom_objects: the references get names of their own
        node["registered_name"] = f"{_REFERENCE_PACKAGE}>{node['class_name']}"
        custom[node["registered_name"]] = REFERENCES[node["class_name"]]()
    copy = path.with_name(f".grader-read-{path.name}")
    try:
        with zipfile.ZipFile(copy, "w") as archive:
            for name, data in members.items():
                archive.writestr(name, json.dumps(config) if name == "config.json" else data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = keras.saving.load_model(str(copy), custom_objects=custom, compile=False, safe_mode=True)
    except Exception as error:  # noqa: BLE001 - the file's contents decide what fails here
        raise CheckFailure(
            "the grader could not rebuild the model in the saved file with Keras' layers and its own Standardize",
            got=f"{type(error).__name__}: {error_summary(str(error))[:200]}",
            why="the file must hold Standardize's constructor arguments in its config: 'mean' and 'std' as lists",
            hint=SAVE_HINT) from None
    finally:
        copy.unlink(missing_ok=True)
    if not isinstance(model, keras.Model):
        raise CheckFailure("the saved file does not hold a model", got=type(model).__name__, hint=SAVE_HINT)
    return model, [registered for _, registered in learner]


def _expect_constructor_arguments(node: dict) -> None:
    """Standardize's `mean` and `std` are in its config in the file, as lists of numbers."""
    config = node.get("config") if isinstance(node.get("config"), dict) else {}
    for key in ("mean", "std"):
        try:
            _vector(config.get(key), key)
        except ValueError:
            shown = "missing" if key not in config else f"a {type(config[key]).__name__}"
            raise CheckFailure(
                f"Standardize's config in the saved file has no '{key}' as a list of numbers ({shown})",
                expected=f"'{key}': [...] in the layer's config", got=shown,
                why="the file is rebuilt from each layer's config: Standardize(**config) needs mean and std, "
                "and JSON gives back a list as it was written",
                hint="in get_config, add both constructor arguments, as plain lists (an array has .tolist())") from None


def _read_archive(path: Path) -> tuple[dict[str, bytes], dict]:
    """The archive's members (bounded in number and size before anything is decompressed) and its config."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if len(infos) > 16 or sum(i.file_size for i in infos) > MAX_FILE_BYTES * 4:
                raise CheckFailure("the saved file holds more than a model's config and weights",
                                   got=f"{len(infos)} members, {sum(i.file_size for i in infos):,} bytes", hint=SAVE_HINT)
            if any(i.filename == "config.json" and i.file_size > MAX_CONFIG_BYTES for i in infos):
                raise CheckFailure("the saved file's config.json is larger than any model's", hint=SAVE_HINT)
            members = {info.filename: archive.read(info) for info in infos}
        config = json.loads(members["config.json"])
    except CheckFailure:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, RecursionError, NotImplementedError,
            RuntimeError, EOFError) as error:
        raise CheckFailure("the saved file is not a .keras file Keras wrote",
                           expected="a zip archive holding config.json, metadata.json and model.weights.h5",
                           got=type(error).__name__, hint=SAVE_HINT) from None
    if not isinstance(config, dict):
        raise CheckFailure("the saved file's config.json does not describe a model", hint=SAVE_HINT)
    return members, config


def _learner_classes(config: dict) -> list[tuple[dict, str]]:
    """Every object in the config that is not Keras' own (its node, and the registered name the file gives
    it), in order."""
    found, stack = [], [(config, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_CONFIG_DEPTH:
            raise CheckFailure("the saved file's config.json is nested deeper than any model's", hint=SAVE_HINT)
        if isinstance(node, dict):
            module = node.get("module")
            if isinstance(module, str) and "class_name" in node and module.split(".")[0] != "keras":
                registered = node.get("registered_name") or node["class_name"]
                found.append((node, str(registered)[:80]))
            stack.extend((child, depth + 1) for child in reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in reversed(node))
    return found


def layer_names(model) -> list[str]:
    """The class names of the rebuilt model's layers, in order (the grader's Standardize reads as "Standardize")."""
    return [type(layer).__name__[:80] for layer in model.layers][:16]


def run_saved_model(model, x: np.ndarray) -> np.ndarray:
    """The rebuilt model's inference output on `x`, as float32."""
    return np.asarray(model(x, training=False), dtype="float32")
