"""A content-addressed store of training results, reused across students and across runs.

The grader's training is deterministic (one seed, op determinism): the same model architecture,
initial weights, compile settings, fit recipe, data and random state give the same held-out
accuracy, on one intra-op thread (grader/quiet.py; with several, the last bits of the sums depend on
the thread count, which the key therefore includes). So the accuracy check keys each training run by a digest of all of them and stores what
it measured — the accuracy (or the failure, e.g. predictions that were not finite), the epochs run
and the seconds it took. A later run with the same key reuses the result and says so in its note.

Only what the digest can capture by value is cached: a model whose layers and a compile config whose
loss, optimizer, schedule and metrics are all Keras's own (their configuration is their whole
behaviour). A learner's own layer, model class or loss function is code; such a run always trains.
A run that went over its time budget is not stored (that depends on the machine's load).

Where: `COURSE_TRAINING_CACHE` names the folder; `off` disables the cache; unset means
`$XDG_CACHE_HOME/keras-course/training` (else `~/.cache/...`). Entries are small JSON files written
atomically, in a folder only the grader's user can write (created with mode 0700; a folder that others
may write is not read). Batch grading reads and writes it from its trusted verification processes
only (the one folder of their otherwise read-only file system that they may write, see
grader.grade.sandbox.cut_off_the_verifier): a submission's process neither sees the variable nor can
write there.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import tempfile
import weakref
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

CACHE_ENV = "COURSE_TRAINING_CACHE"
_FORMAT = 4  # bump when what a key covers or what an entry holds changes (4: names only where they name)
# Where batch grading's verifier keeps the JSON a model was rebuilt and compiled from (grader.grade.values):
# the key covers that text, not what the rebuilt objects' get_config says (which drops some arguments, such as
# a loss's dtype, that from_config took).
SENT_MODEL, SENT_COMPILE = "_course_sent_model_json", "_course_sent_compile_json"
# The objects whose `name` is an automatic, per-process name (dense_7, adam_1): layers, models, optimizers.
_NAMED_MODULES = ("keras.layers", "keras.src.layers", "keras.models", "keras.src.models", "keras.optimizers",
                  "keras.src.optimizers")
_LAYER_REFERENCES = ("keras_history", "input_layers", "output_layers")  # [layer name, node, tensor] lists
_DATA_DIGESTS: dict[int, tuple[weakref.ref, str]] = {}  # id(dataset) -> (the dataset, its digest)


@dataclass(frozen=True)
class TrainingResult:
    """What one training run measured: the held-out accuracy, or the failure it ended in."""

    accuracy: float | None
    failure: dict | None  # CheckFailure.as_dict() when the trained model's predictions were unusable
    epochs_run: int
    seconds: float


def cache_folder() -> Path | None:
    """The cache folder from COURSE_TRAINING_CACHE, or None when caching is off."""
    value = os.environ.get(CACHE_ENV, "").strip()
    if value.lower() == "off":
        return None
    if value:
        return Path(value)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "keras-course" / "training"


def training_key(model: Any, recipe: dict, dataset: Any) -> str | None:
    """The digest of everything that decides `model.fit(dataset, **recipe)`'s outcome; None if some part
    of it is code rather than configuration (see the module docstring)."""
    import keras

    try:
        names = {layer.name: f"<layer {i}>" for i, layer in enumerate([model, *model._flatten_layers()])}
        if getattr(model, "optimizer", None) is not None:
            names[model.optimizer.name] = "<optimizer>"
        sent_model, sent_compile = getattr(model, SENT_MODEL, None), getattr(model, SENT_COMPILE, None)
        architecture = _canonical(json.loads(sent_model or model.to_json()), names)
        compile_config = _canonical(json.loads(sent_compile) if sent_compile else model.get_compile_config(), names)
    except Exception:  # noqa: BLE001 - a model or setting Keras cannot serialise: train, do not cache
        return None
    if not (_only_keras_objects(architecture) and _only_keras_objects(compile_config)):
        return None
    architecture, compile_config = json.dumps(architecture, sort_keys=True), json.dumps(compile_config, sort_keys=True)
    digest = hashlib.sha256()
    for part in (str(_FORMAT), keras.__version__, _tensorflow_version(), np.__version__, _training_source(),
                 os.environ.get("TF_NUM_INTRAOP_THREADS", ""),  # the last bits of every sum depend on it
                 architecture, compile_config, json.dumps(_plain(recipe), sort_keys=True), _data_digest(dataset),
                 str(dataset.seed), _random_state_digest(), _keras_settings()):
        digest.update(part.encode())
        digest.update(b"\0")
    for weight in model.get_weights():
        array = np.ascontiguousarray(weight)
        digest.update(f"{array.dtype}{array.shape}".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def load(key: str) -> TrainingResult | None:
    """The stored result of training run `key`, or None (not stored, unreadable, caching off, or a folder
    that someone else could have written)."""
    folder = cache_folder()
    if folder is None or not _private(folder):
        return None
    try:
        data = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
        return TrainingResult(**data)
    except (OSError, ValueError, TypeError):
        return None


def store(key: str, result: TrainingResult) -> None:
    """Keep `result` under `key` (atomically; a folder that cannot be written is silently skipped)."""
    folder = cache_folder()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.NamedTemporaryFile("w", dir=folder, suffix=".tmp", delete=False, encoding="utf-8") as handle:
            json.dump(asdict(result), handle)
        os.replace(handle.name, folder / f"{key}.json")
    except OSError:
        pass


def _private(folder: Path) -> bool:
    """Whether `folder` belongs to this user and no one else may write it: only then are its results ours."""
    try:
        status = folder.stat()
    except OSError:
        return False
    return status.st_uid == os.getuid() and not status.st_mode & 0o022


def _canonical(config: Any, names: dict[str, str], key: str | None = None, named: bool = True) -> Any:
    """`config` with the layers' and the optimizer's automatic names (dense_7, adam_1: they count up per
    process) replaced by their place in the model, so that the same model built twice has the same key.

    A name is replaced only where it names one of those objects: the `name` of a layer's, a model's or an
    optimizer's entry or config (`named`), and the first item of a layer reference (`keras_history`,
    `input_layers`, `output_layers`). Any other string stays as it is, even one equal to a name: an
    optimizer named "Lamb" keeps its class_name "Lamb", and a dtype policy its name."""
    if isinstance(config, dict):
        own = _is_named(config)
        return {k: (names.get(v, v) if k == "name" and isinstance(v, str) and (own or named and key == "config")
                    else _canonical(v, names, k, own)) for k, v in config.items()}
    if isinstance(config, (list, tuple)):
        if key in _LAYER_REFERENCES and config and isinstance(config[0], str):
            return [names.get(config[0], config[0]), *config[1:]]
        return [_canonical(value, names, key, False) for value in config]
    return config


def _is_named(config: dict) -> bool:
    """Whether `config` is a serialised layer, model or optimizer (whose name is automatic)."""
    module = config.get("module")
    return isinstance(module, str) and (module.startswith(_NAMED_MODULES) or
                                        module == "keras" and config.get("class_name") in ("Sequential", "Functional"))


def _only_keras_objects(config: Any) -> bool:
    """True if every serialised object in `config` is one of Keras's own (module `keras...`)."""
    if isinstance(config, dict):
        module = config.get("module")
        if "class_name" in config and module is not None and not str(module).startswith("keras"):
            return False
        if config.get("registered_name") not in (None, config.get("class_name")) and \
                not str(config.get("registered_name")).startswith("keras"):
            return False
        return all(_only_keras_objects(value) for value in config.values())
    if isinstance(config, list):
        return all(_only_keras_objects(value) for value in config)
    return True


def _plain(recipe: dict) -> dict:
    return {str(k): (v.item() if isinstance(v, np.generic) else v) for k, v in sorted(recipe.items())}


def _data_digest(dataset: Any) -> str:
    known = _DATA_DIGESTS.get(id(dataset))
    if known is not None and known[0]() is dataset:
        return known[1]
    digest = hashlib.sha256()
    for array in (dataset.x_train, dataset.y_train, dataset.x_test, dataset.y_test):
        digest.update(np.ascontiguousarray(array).tobytes())
    _DATA_DIGESTS[id(dataset)] = (weakref.ref(dataset), digest.hexdigest())
    return digest.hexdigest()


def _random_state_digest() -> str:
    """Python's and numpy's global random states (fit shuffles with them)."""
    kind, keys, position, has_gauss, gauss = np.random.get_state()
    return hashlib.sha256(repr((random.getstate(), kind, keys.tobytes(), position, has_gauss, gauss)).encode()).hexdigest()


def _keras_settings() -> str:
    """Keras's process-wide settings that change what `fit` does: the epoch and step caps (which cut every
    fit short), the float type, epsilon, the image data format and the dtype policy. Whatever set them (a
    model config naming a Keras function, in the same verifier) gets a key of its own, never another
    student's."""
    import keras

    settings = {"max_epochs": keras.config.max_epochs(), "max_steps_per_epoch": keras.config.max_steps_per_epoch(),
                "floatx": keras.config.floatx(), "epsilon": keras.config.epsilon(),
                "image_data_format": keras.config.image_data_format(), "dtype_policy": keras.config.dtype_policy().name}
    return json.dumps(settings, sort_keys=True, default=str)


def _training_source() -> str:
    return hashlib.sha256(Path(__file__).with_name("training.py").read_bytes()).hexdigest()


def _tensorflow_version() -> str:
    try:
        import tensorflow as tf
    except ImportError:
        return "-"
    return tf.__version__
