"""The grader's training runs a whole epoch per call of the traced step, and that changes no result."""

from __future__ import annotations

import keras
import numpy as np

from grader.checks.submission import load_submission
from grader.checks.training import fit_within_budget

SOURCE = "def training_recipe():\n    return {'epochs': 2, 'batch_size': 32}\n"


def _data(n: int = 300) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    return rng.uniform(size=(n, 28, 28)).astype("float32"), rng.integers(0, 10, size=n)


def _compiled(model_class=keras.Sequential) -> keras.Model:
    keras.utils.set_random_seed(1234)
    model = model_class([keras.Input(shape=(28, 28)), keras.layers.Flatten(), keras.layers.Dense(8, activation="relu"),
                         keras.layers.Dropout(0.2), keras.layers.Dense(10)])
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def _submission(tmp_path):
    path = tmp_path / "answer.py"
    path.write_text(SOURCE, encoding="utf-8")
    return load_submission(path, "05")


class CountingSteps(keras.Sequential):
    """A learner's own train_step: Keras's, counted in Python (which runs only while tracing)."""

    traced = 0

    def train_step(self, data):
        type(self).traced += 1
        return super().train_step(data)


def test_whole_epoch_calls_give_the_same_weights_and_losses_as_one_batch_per_call(tmp_path):
    x, y = _data()  # 300 images in batches of 32: 10 steps, the last one partial
    recipe = {"epochs": 2, "batch_size": 32, "shuffle": True, "validation_split": 0.1}
    per_batch = _compiled()
    keras.utils.set_random_seed(7)
    expected = per_batch.fit(x, y, verbose=0, **recipe).history
    graded = _compiled()
    seen = []
    graded.make_train_function = lambda force=False, fit=graded.make_train_function: (
        seen.append(graded.steps_per_execution), fit(force))[1]
    keras.utils.set_random_seed(7)
    run = fit_within_budget(graded, _submission(tmp_path), x, y, recipe, budget_s=600)
    assert run.epochs_run == 2 and seen and min(seen) >= 9  # whole epochs per call
    assert graded.history.history == expected
    for mine, theirs in zip(graded.get_weights(), per_batch.get_weights(), strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_the_learners_own_setting_is_restored_and_the_model_still_fits_as_keras_would(tmp_path):
    x, y = _data(96)
    model = _compiled()
    model.steps_per_execution = 2
    fit_within_budget(model, _submission(tmp_path), x, y, {"epochs": 1, "batch_size": 32}, budget_s=600)
    assert model.steps_per_execution == 2 and model.train_function is None
    assert len(model.fit(x, y, epochs=2, batch_size=32, verbose=0).history["loss"]) == 2


def test_a_learners_own_train_step_runs_one_batch_per_call_as_written(tmp_path):
    x, y = _data(96)
    model = _compiled(CountingSteps)
    seen = []
    model.make_train_function = lambda force=False, fit=model.make_train_function: (
        seen.append(model.steps_per_execution), fit(force))[1]
    fit_within_budget(model, _submission(tmp_path), x, y, {"epochs": 1, "batch_size": 32}, budget_s=600)
    assert seen == [1] and CountingSteps.traced >= 1


def test_numbers_written_into_a_model_s_structure_are_refused_before_training():
    """Re-initialising a model draws its weights anew but keeps what its structure holds: a trained kernel
    passed to ops.matmul, or a Rescaling by an array, would be handed to training as they are. Such a model
    is refused, naming how many numbers it holds; shapes and axes are not counted, and a model's few
    settings (a 1/255 scale, a reshape target, a constant added, its units) stay far below the bound
    (tests/faults/bakes_into_operations is the attack, graded in batch in tests/test_batch.py)."""
    import pytest
    from keras import layers, ops

    from grader.checks.failure import CheckFailure
    from grader.checks.training import MAX_NUMBERS_IN_STRUCTURE, expect_no_data_in_the_structure

    inputs = keras.Input(shape=(28, 28))
    scaled = ops.add(ops.reshape(layers.Rescaling(1 / 255)(inputs), (-1, 784)), 0.5)
    expect_no_data_in_the_structure(keras.Model(inputs, layers.Dense(10)(scaled)))  # 6 numbers
    flat = layers.Flatten()(inputs)
    kernel = np.random.default_rng(3).normal(size=(784, 10)).astype("float32")
    in_a_matmul = keras.Model(inputs, ops.add(ops.matmul(flat, kernel), layers.Dense(10)(flat)))
    with pytest.raises(CheckFailure, match="structure holds 7,841 numbers outside its weights"):
        expect_no_data_in_the_structure(in_a_matmul)
    pooled = layers.Reshape((49, 16))(layers.AveragePooling2D(1)(layers.Reshape((28, 28, 1))(inputs)))
    per_class = layers.Rescaling(scale=np.ones((49, 1), "float32"))(pooled)  # 49 numbers, and its offset
    small = keras.Model(inputs, ops.sum(per_class, axis=1))
    expect_no_data_in_the_structure(small)
    assert MAX_NUMBERS_IN_STRUCTURE < 49 * 10  # a linear classifier of a 7x7 pooling would not fit
    slopes = [layers.LeakyReLU(negative_slope=0.01 * (i + 1))(flat) for i in range(200)]  # a number per layer
    with pytest.raises(CheckFailure, match="structure holds 2\\d\\d numbers"):
        expect_no_data_in_the_structure(keras.Model(inputs, layers.Concatenate()(slopes)))
    wide = layers.Rescaling(scale=np.ones((49, 16), "float32"))(pooled)  # a pixel's own weight, and the offset
    with pytest.raises(CheckFailure, match="structure holds 785 numbers"):
        expect_no_data_in_the_structure(keras.Model(inputs, ops.sum(wide, axis=1)))
