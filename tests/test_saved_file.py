"""The grader's own reading of a saved `.keras` file (grader.checks.saved_file): what the file computes,
with none of the learner's code, and one clear failure for each way a file can be wrong or hostile."""

import json
import zipfile

import keras
import numpy as np
import pytest

from grader.checks import CheckFailure
from grader.checks.saved_file import MAX_FILE_BYTES, read_saved_model, run_saved_model


@keras.saving.register_keras_serializable(package="tests")
class Standardize(keras.layers.Layer):
    """A correct Standardize, with mean and std kept as weights too (the file then holds them twice)."""

    def __init__(self, mean, std, **kwargs):
        super().__init__(**kwargs)
        self.mean_list, self.std_list = [float(v) for v in mean], [float(v) for v in std]

    def build(self, input_shape):
        self.mean = self.add_weight(shape=(len(self.mean_list),), trainable=False,
                                    initializer=keras.initializers.Constant(self.mean_list))
        self.std = self.add_weight(shape=(len(self.std_list),), trainable=False,
                                   initializer=keras.initializers.Constant(self.std_list))

    def call(self, inputs):
        return (inputs - self.mean) / self.std

    def get_config(self):
        return {**super().get_config(), "mean": self.mean_list, "std": self.std_list}


MEAN, STD = np.array([0.5, -1.0, 2.0], "float32"), np.array([1.0, 0.5, 4.0], "float32")
KERNEL, BIAS = np.arange(6, dtype="float32").reshape(3, 2) / 7, np.array([0.25, -0.5], "float32")
X = np.linspace(-2, 2, 12, dtype="float32").reshape(4, 3)


def expected(x):
    return (x - MEAN) / STD @ KERNEL + BIAS


def saved(tmp_path, first_layer) -> "Path":  # noqa: F821
    dense = keras.layers.Dense(2)
    model = keras.Sequential([keras.Input(shape=(3,)), first_layer, dense])
    dense.set_weights([KERNEL, BIAS])
    path = tmp_path / "model.keras"
    model.save(path)
    return path


def rewritten(path, change) -> None:
    """The file with its config.json changed by `change(config)`."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(members["config.json"])
    change(config)
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_a_correct_file_computes_the_model_with_the_grader_s_own_standardize(tmp_path):
    from grader.checks.saved_file import layer_names

    model, registered = read_saved_model(saved(tmp_path, Standardize(MEAN, STD)))
    assert registered == ["tests>Standardize"] and layer_names(model) == ["Standardize", "Dense"]
    assert type(model.layers[0]) is not Standardize and type(model.layers[0]).__name__ == "Standardize"
    np.testing.assert_allclose(run_saved_model(model, X), expected(X), atol=1e-5)
    assert not list(tmp_path.glob(".grader-read-*"))  # its working copy is gone


def test_the_file_is_read_for_what_its_config_says_not_what_the_learner_s_class_does(tmp_path):
    path = saved(tmp_path, Standardize(MEAN, STD))
    rewritten(path, lambda c: c["config"]["layers"][1]["config"].update(std=[2.0, 2.0, 2.0]))
    model, _ = read_saved_model(path)
    np.testing.assert_allclose(run_saved_model(model, X), (X - MEAN) / 2.0 @ KERNEL + BIAS, atol=1e-5)


def test_an_unregistered_class_is_read_and_its_name_reported_without_a_package(tmp_path):
    path = saved(tmp_path, Standardize(MEAN, STD))
    rewritten(path, lambda c: c["config"]["layers"][1].update(registered_name="Standardize"))
    assert read_saved_model(path)[1] == ["Standardize"]


@pytest.mark.parametrize("damage, words", [
    (lambda p: p.write_bytes(b"PK\x03\x04 not a model"), "not a .keras file Keras wrote"),
    (lambda p: p.write_bytes(b"\0" * (MAX_FILE_BYTES + 1)), "bytes; a model of this exercise takes about 25 KB"),
    (lambda p: rewritten(p, lambda c: c["config"]["layers"][1]["config"].pop("std")), "no 'std' as a list"),
    (lambda p: rewritten(p, lambda c: c["config"]["layers"][1]["config"].update(
        mean={"class_name": "__numpy__", "config": {"value": [1, 2, 3]}})), "no 'mean' as a list of numbers (a dict)"),
    (lambda p: rewritten(p, lambda c: c["config"]["layers"][1].update(class_name="Evil", module="os")),
     "a class the exercise does not ask for: Evil"),
    (lambda p: rewritten(p, lambda c: c["config"].update(deep=json.loads("[" * 150 + "]" * 150))),
     "nested deeper than any model's"),
])
def test_a_wrong_or_hostile_file_fails_with_one_clear_message(tmp_path, damage, words):
    path = saved(tmp_path, Standardize(MEAN, STD))
    damage(path)
    with pytest.raises(CheckFailure) as failed:
        read_saved_model(path)
    assert words in str(failed.value)


def test_a_zip_bomb_is_refused_before_it_is_decompressed(tmp_path):
    path = tmp_path / "model.keras"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("config.json", "{}")
        archive.writestr("model.weights.h5", b"\0" * (MAX_FILE_BYTES * 4 + 1))
    assert path.stat().st_size < MAX_FILE_BYTES
    with pytest.raises(CheckFailure, match="more than a model's config and weights"):
        read_saved_model(path)


def test_a_file_of_keras_own_layers_only_is_read_and_holds_no_learner_class(tmp_path):
    """A model with Keras' Normalization in place of Standardize computes the same, but the file holds no
    class of the learner's: exercise 12's checks then say it is not the model given (grader.checks.saving)."""
    from grader.checks.saving import expect_file_computes

    model, registered = read_saved_model(saved(tmp_path, keras.layers.Normalization(mean=MEAN, variance=STD**2)))
    assert registered == []
    from grader.checks.saved_file import layer_names

    fact = {"output": run_saved_model(model, X), "registered": registered, "layers": layer_names(model)}
    assert fact["layers"] == ["Normalization", "Dense"]
    np.testing.assert_allclose(fact["output"], expected(X), atol=1e-4)
    with pytest.raises(CheckFailure, match="does not hold the model you were given"):
        expect_file_computes(fact, X, expected(X))


