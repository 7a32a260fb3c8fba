"""Weight pairing between a learner's model and a reference (grader.checks.equivalence.every_matching).

A learner's own layer lists its inner layers' weights in the order it makes them, not the order it calls
them; a check that copies weights into a reference must find the pairing under which the two compute the
same function, whatever that order (tests/variants/07/correct_own_block_made_out_of_order.py is the answer
that order once cost a point)."""

import keras
import numpy as np
import pytest

from grader.checks import CheckFailure, assign_random, every_matching, predict_numpy
from grader.checks.equivalence import WEIGHTS_DIFFER


class OutOfOrderBlock(keras.layers.Layer):
    """x + Dense(Dense_relu(x)), the Dense applied last made first."""

    def __init__(self, width, **kwargs):
        super().__init__(**kwargs)
        self.outer = keras.layers.Dense(width)
        self.inner = keras.layers.Dense(width, activation="relu")

    def call(self, x):
        return x + self.outer(self.inner(x))


def _learner() -> keras.Model:
    inputs = keras.Input((5,))
    x = keras.layers.Dense(3, activation="relu")(inputs)
    return keras.Model(inputs, keras.layers.Dense(2)(keras.layers.ReLU()(OutOfOrderBlock(3)(x))))


def _reference() -> keras.Model:
    inputs = keras.Input((5,))
    x = keras.layers.Dense(3, activation="relu")(inputs)
    h = keras.layers.Dense(3)(keras.layers.Dense(3, activation="relu")(x))
    return keras.Model(inputs, keras.layers.Dense(2)(keras.layers.ReLU()(keras.layers.Add()([x, h]))))


def _same_outputs(pairs, learner, reference, x) -> bool:
    for source, target in pairs:
        target.assign(np.asarray(source))
    return np.allclose(predict_numpy(learner, x), predict_numpy(reference, x), atol=1e-5)


def test_an_out_of_order_block_matches_the_reference_under_one_pairing_only():
    learner, reference = _learner(), _reference()
    assign_random(learner, seed=3)  # biases too: a wrong pairing of the (3,) biases changes the outputs
    x = np.random.default_rng(4).normal(size=(6, 5)).astype("float32")
    pairings = list(every_matching(learner, reference, source_label="yours", target_label="the reference"))
    assert len(pairings) == 2 * 6  # two (3, 3) kernels, three (3,) biases; the rest occur once
    assert len({tuple((id(a), id(b)) for a, b in p) for p in pairings}) == len(pairings)
    assert all(tuple(a.shape) == tuple(b.shape) for p in pairings for a, b in p)
    assert not _same_outputs(pairings[0], learner, reference, x)  # by order: the block's two Dense swapped
    assert [_same_outputs(p, learner, reference, x) for p in pairings].count(True) == 1


def test_the_first_pairing_is_by_order_and_distinct_shapes_give_only_it():
    one, other = (keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(2)]) for _ in "ab")
    pairings = list(every_matching(one, other, source_label="yours", target_label="the reference"))
    assert [[(a.path, b.path) for a, b in p] for p in pairings] == \
        [[(a.path, b.path) for a, b in zip(one.weights, other.weights, strict=True)]]


def test_weights_of_other_shapes_fail_in_the_learner_s_terms():
    one = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    other = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5)])
    with pytest.raises(CheckFailure, match=WEIGHTS_DIFFER):
        next(every_matching(one, other, source_label="your model", target_label="the reference"))


class HeadFirst(keras.layers.Layer):
    """Dense(3, relu) → Dense(3, relu) → Dense(2), its head made first: its weights list the (3, 2) kernel
    before the two (3, 3) ones, an order no by-order or by-shape pairing takes."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.head = keras.layers.Dense(2)
        self.stem = keras.layers.Dense(3, activation="relu")
        self.block = keras.layers.Dense(3, activation="relu")

    def call(self, x):
        return self.head(self.block(self.stem(x)))


def test_weights_listed_in_another_order_with_repeated_shapes_still_pair():
    inputs = keras.Input((3,))
    learner = keras.Model(inputs, HeadFirst()(inputs))
    reference = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3, activation="relu"),
                                  keras.layers.Dense(3, activation="relu"), keras.layers.Dense(2)])
    assign_random(learner, seed=5)
    x = np.random.default_rng(6).normal(size=(4, 3)).astype("float32")
    pairings = list(every_matching(learner, reference, source_label="yours", target_label="the reference"))
    assert len(pairings) == 2 * 2  # two (3, 3) kernels, two (3,) biases
    assert [_same_outputs(p, learner, reference, x) for p in pairings].count(True) == 1
