"""Training results are reused only when everything that decides them is the same, and say so."""

from __future__ import annotations

from pathlib import Path

import keras
import pytest
from conftest import pinned_split

from grader.checks import training_cache
from grader.datasets import load_dataset
from grader.manifest import load_course
from grader.runner import run_checks

VARIANTS = Path(__file__).parent / "variants"


def _model(units: int = 8) -> keras.Model:
    keras.utils.set_random_seed(1234)
    return keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                             keras.layers.Dense(units, activation="relu"), keras.layers.Dense(10)])


def _compiled(optimizer="adam", loss=None) -> keras.Model:
    model = _model()
    model.compile(optimizer=optimizer, loss=loss or keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def test_an_identical_training_run_is_reused_with_the_same_verdict_and_says_so(monkeypatch, tmp_path):
    monkeypatch.setenv(training_cache.CACHE_ENV, str(tmp_path))
    exercise = load_course().find("05")
    answer = VARIANTS / "05" / "wrong_too_few_epochs.py"  # one short epoch: the cheapest real training
    first, second = (run_checks(exercise, answer, only="test_held_out_accuracy_reaches_threshold")
                     for _ in range(2))
    assert [c.message for c in first.checks] == [c.message for c in second.checks]
    assert "below the threshold" in first.checks[0].message
    assert len(list(tmp_path.glob("*.json"))) == 1
    assert not any("reused" in note for note in first.checks[0].notes)
    reused = [note for note in second.checks[0].notes if "reused from an identical earlier training run" in note]
    assert reused and reused[0].split(" (threshold")[0] == first.checks[0].notes[0].split(" (threshold")[0]


def test_another_optimizer_setting_recipe_or_weight_is_another_key():
    dataset = load_dataset()
    recipe = {"epochs": 3, "batch_size": 32}
    base = training_cache.training_key(_compiled(), recipe, dataset)
    assert base and base == training_cache.training_key(_compiled(), recipe, dataset)
    assert training_cache.training_key(_compiled(keras.optimizers.Adam(2e-3)), recipe, dataset) != base
    assert training_cache.training_key(_compiled(), {"epochs": 4, "batch_size": 32}, dataset) != base
    nudged = _compiled()
    weights = nudged.get_weights()
    weights[0][0, 0] += 1e-6
    nudged.set_weights(weights)
    assert training_cache.training_key(nudged, recipe, dataset) != base


def test_the_grader_trains_on_one_thread_per_op_and_another_thread_count_is_another_key(monkeypatch):
    import os

    assert os.environ["TF_NUM_INTRAOP_THREADS"] == "1"  # set by importing the grader (grader/quiet.py)
    dataset = load_dataset()
    recipe = {"epochs": 3, "batch_size": 32}
    base = training_cache.training_key(_compiled(), recipe, dataset)
    monkeypatch.setenv("TF_NUM_INTRAOP_THREADS", "4")
    assert training_cache.training_key(_compiled(), recipe, dataset) != base


class _Halve(keras.layers.Layer):
    def call(self, inputs):
        return inputs / 2


def _logits_loss(y_true, y_pred):
    return keras.losses.sparse_categorical_crossentropy(y_true, y_pred, from_logits=True)


@pytest.mark.parametrize("build", [
    lambda: _compiled(loss=_logits_loss),
    lambda: _with_layer(_Halve()),
], ids=["a learner's loss function", "a learner's layer"])
def test_a_learners_own_code_is_never_cached(build):
    assert training_cache.training_key(build(), {"epochs": 1, "batch_size": 32}, load_dataset()) is None


def _with_layer(layer) -> keras.Model:
    model = keras.Sequential([keras.Input(shape=(28, 28)), layer, keras.layers.Flatten(), keras.layers.Dense(10)])
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def test_a_cache_folder_others_may_write_is_not_trusted(monkeypatch, tmp_path):
    monkeypatch.setenv(training_cache.CACHE_ENV, str(tmp_path))
    forged = training_cache.TrainingResult(0.999, None, 1, 0.1)
    training_cache.store("k" * 64, forged)
    tmp_path.chmod(0o700)
    assert training_cache.load("k" * 64) == forged
    tmp_path.chmod(0o777)
    assert training_cache.load("k" * 64) is None


def test_batch_grading_reuses_a_training_across_students_and_says_so_in_grades_json(tmp_path):
    """Two students with the same answer: the trusted verifier trains once, and the second student's
    record says the result was reused; the points are the same."""
    import json
    import os
    import shutil
    import subprocess
    import sys

    for student in ("ann", "ben"):
        (tmp_path / "class" / student).mkdir(parents=True)
        shutil.copy(VARIANTS / "05" / "wrong_too_few_epochs.py", tmp_path / "class" / student / "05_training.py")
    env = {**os.environ, training_cache.CACHE_ENV: str(tmp_path / "cache")}
    result = subprocess.run([sys.executable, "-m", "grader.cli", "grade", str(tmp_path / "class"), "--out",
                             str(pinned_split(tmp_path / "out")), "--json", "-w", "1", "-e", "5"], capture_output=True, text=True,
                            env=env, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    records = {r["student"]: r for r in json.loads((tmp_path / "out" / "grades.json").read_text())["students"]}

    def accuracy_notes(record):
        return [n for c in record["exercises"]["05"]["checks"] for n in c["notes"] if "held-out accuracy" in n]

    first, second = accuracy_notes(records["ann"]), accuracy_notes(records["ben"])
    assert len(first) == len(second) == 1 and "reused" not in first[0]
    assert "reused from an identical earlier training run" in second[0]
    assert records["ann"]["exercises"]["05"]["points"] == records["ben"]["exercises"]["05"]["points"]
    # two trainings stored: the reference solution's (discovery runs the checks on it) and the students' answer
    assert len(list((tmp_path / "cache").glob("*.json"))) == 2
