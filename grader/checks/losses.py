"""Judging a compiled loss by its value: the grader feeds it scores and labels it chose, and compares the
result with Keras' own cross-entropy computed every way the learner could have configured it.

So `"sparse_categorical_crossentropy"`, `SparseCategoricalCrossentropy(...)`, the function
`keras.losses.sparse_categorical_crossentropy` wrapped in a lambda, or a hand-written equivalent are
judged alike, and a wrong one is told which property differs: the reduction over the batch,
`from_logits`, or the label format.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from grader.checks.failure import CheckFailure
from grader.checks.inputs import generator, probability_rows

# Grader-chosen probe: rows of probabilities (each positive, each row summing to 1), which a loss of
# probabilities is defined on however it is written, and on which reading the scores as logits (a softmax
# of them first) gives a clearly different loss; a batch of 5 so that the sum over the batch differs from
# the mean.
PROBE_LABELS = np.array([0, 3, 9, 5, 1])


READINGS = [(from_logits, reduction) for from_logits in (True, False) for reduction in ("mean", "sum")]
MIN_GAP = 0.02  # relative: every two readings of the probe differ by at least this (the match is 1e-3)


def probe_scores() -> np.ndarray:
    """The scores the losses are read on (drawn when read: see grader.checks.inputs): probability rows,
    drawn again until the four configurations of the cross-entropy (READINGS) give values at least
    MIN_GAP apart on them. Batch grading draws them with each run's key, and on an unlucky draw reading
    the scores as logits and as probabilities gave the same loss: a correct loss was then read as the
    other configuration."""
    rng = generator(55)
    for _ in range(100):
        scores = probability_rows(rng, 5)
        values = sorted(_reference(scores, from_logits, reduction) for from_logits, reduction in READINGS)
        if all(b - a > MIN_GAP * abs(b) for a, b in zip(values, values[1:], strict=False)):
            return scores
    raise RuntimeError("no probe separates the cross-entropy's configurations")  # not reached: about 1 draw in 5 is redrawn


OUTPUT_WORDS = {True: "logits", False: "probabilities"}


@dataclass(frozen=True)
class LossReading:
    """What the grader found out about a loss from its values: each property is None when no
    configuration of Keras' cross-entropy gives the loss's value."""

    value: float
    scores: np.ndarray  # the probe the loss was read on
    one_hot_labels: bool
    reduction: str | None  # "mean" or "sum"
    from_logits: bool | None


def compiled_loss(model: keras.Model):
    """The compiled model's loss as a callable `fn(y_true, y_pred)`, whatever spelling compile received."""
    loss = model.loss
    if loss is None:
        raise CheckFailure("compile_model(model) set no loss",
                           hint="give compile a cross-entropy loss for integer labels")
    if isinstance(loss, (list, tuple)) and len(loss) == 1:
        loss = loss[0]  # Keras accepts a one-element list for a single-output model
    return keras.losses.get(loss) if isinstance(loss, (str, dict)) else loss


def _value(fn, y_true: np.ndarray, scores: np.ndarray) -> float:
    return float(np.mean(np.asarray(fn(y_true, scores))))


def _reference(scores: np.ndarray, from_logits: bool, reduction: str) -> float:
    keras_reduction = "sum" if reduction == "sum" else "sum_over_batch_size"
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits, reduction=keras_reduction)
    return _value(loss, PROBE_LABELS, scores)


def read_loss(fn) -> LossReading:
    """Feed `fn` the probe's integer labels (or, if it refuses them, the same labels one-hot) and find the
    Keras cross-entropy configuration that gives the same value."""
    scores = probe_scores()
    try:
        value, one_hot = _value(fn, PROBE_LABELS, scores), False
    except Exception:  # noqa: BLE001 - the learner's loss runs here
        try:
            value, one_hot = _value(fn, np.eye(10, dtype="float32")[PROBE_LABELS], scores), True
        except Exception as error:  # noqa: BLE001
            raise CheckFailure(
                f"the loss cannot compare integer labels with the model's 10 outputs ({type(error).__name__})",
                why="the labels are integers 0–9 and the model gives 10 scores per image",
                hint="use a cross-entropy loss made for integer labels (the Sparse variant)",
            ) from None
    for from_logits, reduction in READINGS:
        if np.isclose(value, _reference(scores, from_logits, reduction), rtol=1e-3, atol=1e-4):
            return LossReading(value, scores, one_hot, reduction, from_logits)
    return LossReading(value, scores, one_hot, None, None)


def expect_cross_entropy(fn, *, outputs_are_logits: bool) -> None:
    """CheckFailure unless `fn` is the mean sparse categorical cross-entropy of the model's outputs read as
    they are (logits or probabilities); the message names the first property that differs."""
    reading = read_loss(fn)
    outputs = OUTPUT_WORDS[outputs_are_logits]
    expected = _reference(reading.scores, outputs_are_logits, "mean")
    values = dict(expected=f"{expected:.4f} (mean cross-entropy, outputs read as {outputs})", got=f"{reading.value:.4f}")
    if reading.one_hot_labels:
        raise CheckFailure(
            "the loss expects one-hot labels, but the labels are integers 0–9",
            expected="a loss that takes the class number (0–9) of each image", got="a loss for one-hot labels",
            why="CategoricalCrossentropy compares the outputs with one-hot vectors; "
            "SparseCategoricalCrossentropy takes the class number itself",
            hint="use the Sparse variant of the cross-entropy loss",
        )
    if reading.from_logits is None:
        raise CheckFailure(
            "the loss is not the cross-entropy of the model's outputs: on the grader's scores and labels it "
            "gives another value than every form of sparse categorical cross-entropy",
            **values,
            why="classifying digits is trained with cross-entropy: minus the log of the probability given to the "
            "right class",
            hint="use Keras' sparse categorical cross-entropy loss",
        )
    if reading.from_logits != outputs_are_logits:
        if outputs_are_logits:
            summary = "the loss treats the model's outputs as probabilities, but the model outputs logits"
            why = "a last Dense without activation outputs logits; from_logits=True makes the loss apply the softmax"
            hint = "tell the loss that it receives logits"
        else:
            summary = "the model outputs probabilities (a softmax), but the loss treats them as logits"
            why = "from_logits=True applies a softmax inside the loss; after the model's own softmax that is a second one"
            hint = "either drop the final softmax, or stop telling the loss that it receives logits"
        raise CheckFailure(summary, **values, why=why, hint=hint)
    if reading.reduction != "mean":
        raise CheckFailure(
            f"the loss adds up the examples' losses (reduction=\"sum\") instead of averaging them: it gives "
            f"{len(PROBE_LABELS)} times the mean on a batch of {len(PROBE_LABELS)}",
            **values,
            why="the default reduction averages over the batch, so the loss (and the size of each step) does not "
            "grow with the batch size",
            hint="leave the loss's reduction at its default",
        )
