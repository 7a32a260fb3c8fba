"""The data the training checks use: real MNIST where it is available, else scikit-learn's digits.

`load_dataset()` decides once per process and always says which dataset and split it returned
(`Dataset.description`); grading results record it. The choice:

- `COURSE_DATASET=mnist` — MNIST through `keras.datasets.mnist` (downloads it if it is not cached:
  the learner asked for it explicitly).
- `COURSE_DATASET=digits` — the offline fallback, always available.
- unset or `auto` — MNIST if `~/.keras/datasets/mnist.npz` is already cached, else digits. Never
  touches the network.

Both are pinned: a fixed-seed shuffled split (the digits file is ordered by writer, so an unshuffled
split would be biased), float32 images in [0, 1] of shape (n, 28, 28), int labels 0–9.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from grader.manifest import load_course

DATASET_ENV = "COURSE_DATASET"


@dataclass(frozen=True)
class Dataset:
    name: str  # "mnist" or "digits": the key of thresholds in the manifest
    description: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    seed: int

    @property
    def summary(self) -> dict[str, object]:
        """What grading results record about the data."""
        return {
            "name": self.name,
            "description": self.description,
            "train": int(len(self.x_train)),
            "held_out": int(len(self.x_test)),
            "seed": self.seed,
        }


def mnist_cache_path() -> Path:
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "datasets" / "mnist.npz"


def chosen_dataset_name() -> str:
    """The dataset `load_dataset()` will use, from COURSE_DATASET and what is cached."""
    choice = os.environ.get(DATASET_ENV, "auto").strip().lower() or "auto"
    if choice not in {"auto", "mnist", "digits"}:
        raise ValueError(f"{DATASET_ENV} must be auto, mnist or digits. Received: {choice!r}")
    if choice == "auto":
        return "mnist" if mnist_cache_path().is_file() else "digits"
    return choice


_PRELOADED: dict[str, Dataset] = {}


def save_dataset_cache(path: Path, dataset: Dataset) -> None:
    """Write `dataset` as one .npz (batch grading hands it to trusted processes this way)."""
    np.savez(path, x_train=dataset.x_train, y_train=dataset.y_train, x_test=dataset.x_test, y_test=dataset.y_test,
             name=dataset.name, description=dataset.description, seed=dataset.seed)


def preload_from_cache(path: Path) -> Dataset:
    """Make `load_dataset()` return the dataset stored at `path` (written by `save_dataset_cache`)."""
    with np.load(path, allow_pickle=False) as data:
        dataset = Dataset(str(data["name"]), str(data["description"]), data["x_train"], data["y_train"],
                          data["x_test"], data["y_test"], int(data["seed"]))
    _PRELOADED[dataset.name] = dataset
    return dataset


def load_dataset(name: str | None = None) -> Dataset:
    """The pinned dataset `name` (default: `chosen_dataset_name()`)."""
    name = name or chosen_dataset_name()
    if name in _PRELOADED:
        return _PRELOADED[name]
    return _load_dataset(name)


@cache
def _load_dataset(name: str) -> Dataset:
    course = load_course()
    if name == "mnist":
        return _load_mnist(course.seed, course.datasets["mnist"])
    if name == "digits":
        return _load_digits(course.seed, course.datasets["digits"])
    raise ValueError(f"unknown dataset {name!r}; expected 'mnist' or 'digits'")


def resample_to_28(images: np.ndarray) -> np.ndarray:
    """Bilinear resampling of (n, h, w) images to (n, 28, 28)."""
    from scipy.ndimage import zoom

    n, h, w = images.shape
    return zoom(images, (1, 28 / h, 28 / w), order=1).astype("float32")


def _split(n: int, test_size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    return order[test_size:], order[:test_size]


def _load_digits(seed: int, spec: dict) -> Dataset:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = resample_to_28(bunch.images.astype("float32") / 16.0).clip(0.0, 1.0)
    labels = bunch.target.astype("int64")
    test_size = int(spec["test_size"])
    train, test = _split(len(images), test_size, seed)
    description = (
        f"scikit-learn digits (offline fallback: {len(images):,} real 8×8 scans resampled to 28×28), "
        f"{len(train):,} train / {len(test):,} held-out, seed {seed}"
    )
    return Dataset("digits", description, images[train], labels[train], images[test], labels[test], seed)


def _load_mnist(seed: int, spec: dict) -> Dataset:
    import keras

    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    train_size, test_size = int(spec["train_size"]), int(spec["test_size"])
    rng = np.random.default_rng(seed)
    train = rng.permutation(len(x_train))[:train_size]
    test = rng.permutation(len(x_test))[:test_size]
    description = (
        f"MNIST (keras.datasets.mnist), pinned subset: {train_size:,} train / {test_size:,} held-out "
        f"of the official test set, seed {seed}"
    )
    return Dataset(
        "mnist", description,
        (x_train[train] / 255.0).astype("float32"), y_train[train].astype("int64"),
        (x_test[test] / 255.0).astype("float32"), y_test[test].astype("int64"), seed,
    )
