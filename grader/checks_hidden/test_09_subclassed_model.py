"""Exercise 9 — hidden checks."""

import keras
import numpy as np
import pytest

from grader.checks import CheckFailure, ensure_built
from grader.manifest import load_course

pytestmark = pytest.mark.exercise("09")


def test_hidden_dropout_rate_is_honoured(submission, notes):
    cls = submission.get("MLPClassifier", "class")
    model = ensure_built(submission.invoke(cls, "MLPClassifier(dropout_rate=0.0)", dropout_rate=0.0), (28, 28), notes)
    x = np.random.default_rng(91).uniform(size=(8, 28, 28)).astype("float32")
    keras.utils.set_random_seed(load_course().seed)
    training = np.asarray(submission.invoke(model, "MLPClassifier(dropout_rate=0.0)(x, training=True)", x,
                                            training=True))
    inference = np.asarray(submission.invoke(model, "MLPClassifier(dropout_rate=0.0)(x)", x, training=False))
    if not np.allclose(training, inference, atol=1e-5):
        raise CheckFailure("MLPClassifier(dropout_rate=0.0) still drops units while training")


def test_hidden_fit_trains_the_model(submission):
    cls = submission.get("MLPClassifier", "class")
    keras.utils.set_random_seed(load_course().seed)
    model = submission.invoke(cls, "MLPClassifier(hidden_units=16)", hidden_units=16)
    rng = np.random.default_rng(92)
    x = rng.uniform(size=(64, 28, 28)).astype("float32")
    y = rng.integers(0, 10, size=64)
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = submission.invoke(model.fit, "model.fit(x, y) on MLPClassifier", x, y, epochs=2, batch_size=32,
                                verbose=0)
    losses = history.history.get("loss", [])
    if len(losses) != 2 or not np.all(np.isfinite(losses)):
        raise CheckFailure("fit() on MLPClassifier does not produce a finite loss", got=losses)
