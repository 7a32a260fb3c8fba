"""The layer list in normal form and its alignment: one spelling-independent reading of a model, and
one message in the lesson's terms for the first real difference."""

from __future__ import annotations

import keras
import pytest
from keras import layers, ops

from grader.checks.layerlist import Spec, align, first_divergence, layer_list

INPUT = (28, 28)
LESSON_4 = [Spec("Flatten"), Spec("Dense", 128, "relu"), Spec("Dense", 10)]


def _functional_with_ops() -> keras.Model:
    images = keras.Input(INPUT)
    hidden = ops.relu(layers.Dense(128)(ops.reshape(images, (-1, 784))))
    return keras.Model(images, layers.Dense(10)(hidden))


def _nested() -> keras.Model:
    inner = keras.Sequential([layers.Flatten(), layers.Dense(128)])
    return keras.Sequential([keras.Input(INPUT), inner, layers.Activation("relu"), layers.Dense(10)])


SPELLINGS = {
    "activation argument": lambda: keras.Sequential([keras.Input(INPUT), layers.Flatten(),
                                                     layers.Dense(128, activation="relu"), layers.Dense(10)]),
    "ReLU layer": lambda: keras.Sequential([keras.Input(INPUT), layers.Flatten(), layers.Dense(128), layers.ReLU(),
                                            layers.Dense(10)]),
    "InputLayer and Reshape": lambda: keras.Sequential([layers.InputLayer(shape=INPUT), layers.Reshape((784,)),
                                                        layers.Dense(128), layers.Activation("relu"),
                                                        layers.Dense(10)]),
    "Lambda flatten": lambda: keras.Sequential([keras.Input(INPUT),
                                                layers.Lambda(lambda x: ops.reshape(x, (-1, 784))),
                                                layers.Dense(128, activation="relu"), layers.Dense(10)]),
    "Lambda of keras.activations.relu": lambda: keras.Sequential([keras.Input(INPUT), layers.Flatten(),
                                                                 layers.Dense(128),
                                                                 layers.Lambda(keras.activations.relu),
                                                                 layers.Dense(10)]),
    "Lambda of a Python maximum": lambda: keras.Sequential([keras.Input(INPUT), layers.Flatten(), layers.Dense(128),
                                                            layers.Lambda(lambda t: ops.maximum(t, 0.0)),
                                                            layers.Dense(10)]),
    "nested Sequential": _nested,
    "functional with keras.ops": _functional_with_ops,
}


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_spelling_of_the_lesson_4_model_reads_as_the_same_layer_list(spelling):
    found = layer_list(SPELLINGS[spelling](), INPUT)
    assert found.describe() == "Flatten → Dense(128, relu) → Dense(10)"
    assert [step.output_shape for step in found.steps] == [(None, 784), (None, 128), (None, 10)]
    assert [step.params for step in found.steps] == [0, 100_480, 1_290]
    assert first_divergence(found, LESSON_4) is None


def test_a_flattening_reshape_is_accepted_with_a_note_naming_flatten():
    found = layer_list(SPELLINGS["InputLayer and Reshape"](), INPUT)
    assert any("Flatten()" in note for note in found.notes)


def test_a_reshape_that_reorders_the_pixels_is_not_a_flatten():
    transposed = keras.Sequential([keras.Input(INPUT), layers.Permute((2, 1)), layers.Reshape((784,)),
                                   layers.Dense(128, activation="relu"), layers.Dense(10)])
    assert layer_list(transposed, INPUT).steps[0].kind == "Permute"


def test_a_missing_flatten_is_explained_by_the_last_axis_rule_not_by_misaligned_layers():
    model = keras.Sequential([keras.Input(INPUT), layers.Dense(128, activation="relu"), layers.Dense(10)])
    found = layer_list(model, INPUT)
    pairs = align(found.steps, LESSON_4)
    assert [(p.spec and p.spec.kind, p.step and p.step.kind) for p in pairs] == [
        ("Flatten", None), ("Dense", "Dense"), ("Dense", "Dense")]
    message = str(first_divergence(found, LESSON_4))
    assert "no Flatten" in message and "last axis" in message
    assert "(None, 28, 10)" in message and "28 predictions per image" in message


@pytest.mark.parametrize(("extra", "expected"), [
    (lambda: [layers.Flatten(), layers.Dense(128, activation="relu"), layers.Dense(64), layers.Dense(10)],
     "an extra Dense(64) layer after Dense(128, relu)"),
    (lambda: [layers.Flatten(), layers.Dense(10)], "no Dense(128, relu) layer"),
    (lambda: [layers.Flatten(), layers.Dense(32, activation="relu"), layers.Dense(10)],
     "the first Dense layer has 32 units; expected 128"),
])
def test_the_first_difference_is_named_once_in_the_lessons_terms(extra, expected):
    model = keras.Sequential([keras.Input(INPUT), *extra()])
    assert expected in str(first_divergence(layer_list(model, INPUT), LESSON_4))


@pytest.mark.parametrize("activation", ["relu", keras.activations.relu, layers.ReLU(),
                                        lambda x: ops.maximum(x, 0.0)], ids=["name", "function", "layer", "lambda"])
def test_an_activation_is_read_by_what_it_computes(activation):
    model = keras.Sequential([keras.Input(INPUT), layers.Flatten(), layers.Dense(128, activation=activation),
                              layers.Dense(10)])
    assert layer_list(model, INPUT).steps[1].activation == "relu"


def test_a_flatten_after_the_first_dense_is_explained_by_the_last_axis_rule():
    model = keras.Sequential([keras.Input(INPUT), layers.Dense(128, activation="relu"), layers.Flatten(),
                              layers.Dense(10)])
    message = str(first_divergence(layer_list(model, INPUT), LESSON_4))
    assert "flattens after its first Dense layer" in message and "one row of 28 values" in message


@pytest.mark.parametrize("step, kind", [(layers.Lambda(lambda t: t * 2.0), "Lambda"),
                                        (layers.Lambda(lambda t: ops.maximum(t, 0.1)), "Lambda"),
                                        (layers.Dropout(0.5), "Dropout")])
def test_a_parameter_free_step_that_computes_no_activation_stays_a_step_of_its_own(step, kind):
    """Probed by what it computes: twice the input, a ReLU at 0.1, or an identity at inference is no ReLU."""
    model = keras.Sequential([keras.Input(INPUT), layers.Flatten(), layers.Dense(128), step, layers.Dense(10)])
    found = layer_list(model, INPUT)
    assert found.describe() == f"Flatten → Dense(128) → {kind} → Dense(10)"
    assert f"extra {kind} layer after Dense(128)" in first_divergence(found, LESSON_4).message
