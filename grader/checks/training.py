"""Training and evaluation for checks: the grader calls `fit`, within a time budget, reproducibly.

The budget counts the CPU time of the process that trains, not the wall clock: the same submission
then gets the same grade on an idle laptop and on a grading machine shared with other jobs. (The
sandbox's wall-clock limits stay, as a safety net far above every budget.)
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass

import keras
import numpy as np

from grader import progress
from grader.checks.failure import CheckFailure
from grader.checks.introspect import predict_numpy
from grader.checks.submission import Submission

ALLOWED_FIT_KEYS = {"epochs", "batch_size", "shuffle", "validation_split", "class_weight"}


def validate_recipe(recipe: object, label: str, max_epochs: int) -> dict:
    """The learner's fit recipe as a dict, or a CheckFailure naming what is wrong with it. `epochs` is
    required (fit's default of one epoch is never what was meant); `batch_size` may be left to fit's
    default, as `model.fit` itself allows."""
    if not isinstance(recipe, dict):
        raise CheckFailure(
            f"`{label}` returned a {type(recipe).__name__}; expected a dict of fit arguments",
            expected='{"epochs": 10, "batch_size": 32}', got=repr(recipe)[:80],
        )
    unknown = set(recipe) - ALLOWED_FIT_KEYS
    if unknown:
        raise CheckFailure(
            f"`{label}` sets {sorted(unknown)}, which the grader controls or fit does not take",
            expected=f"only keys among {sorted(ALLOWED_FIT_KEYS)}", got=sorted(recipe),
            hint="the grader passes the data, callbacks and verbosity itself",
        )
    for key, low, high in (("epochs", 1, max_epochs), ("batch_size", 1, 4096)):
        value = recipe.get(key)
        if key == "batch_size" and value is None:
            continue  # left out (or None): fit's own default, 32
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
            raise CheckFailure(
                f"the recipe's {key} must be an integer from {low} to {high:,}",
                expected=f"{low} ≤ {key} ≤ {high:,}", got=repr(value),
                hint=f"for example {{'epochs': 10, 'batch_size': 32}}; at most {max_epochs} epochs",
            )
    return dict(recipe)


@dataclass
class TrainingRun:
    epochs_run: int
    seconds: float


class _BudgetAndProgress(keras.callbacks.Callback):
    """Stops `fit` after the batch in which the process's CPU time since the start exceeded the budget:
    checked after every batch of training and of validation (`validation_split`), not only every epoch,
    so that one long epoch (a tiny model that is very expensive to run) cannot run far past the budget."""

    def __init__(self, budget_s: float, epochs: int, label: str) -> None:
        super().__init__()
        self.budget_s, self.epochs, self.label = budget_s, epochs, label
        self.started = time.process_time()
        self.epochs_run = 0
        self.over_budget = False

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if time.process_time() - self.started > self.budget_s:
            self.over_budget = True
            self.model.stop_training = True

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.on_train_batch_end(batch)
        if self.over_budget:  # the validation that fit runs at the end of an epoch, even a stopped one
            self.model.stop_evaluating = True

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epochs_run = epoch + 1
        progress.report(self.label, self.epochs_run, self.epochs)
        self.on_train_batch_end(0)


def fit_within_budget(model: keras.Model, submission: Submission, x: np.ndarray, y: np.ndarray,
                      recipe: dict, budget_s: float, label: str = "training") -> TrainingRun:
    """`model.fit(x, y, **recipe)` with the grader's callbacks; CheckFailure past `budget_s` seconds of CPU
    time (summed over the process's threads, so independent of other load on the machine). The run
    reports wall-clock seconds, for the learner's information only."""
    callback = _BudgetAndProgress(budget_s, int(recipe["epochs"]), label)
    started, cpu_started = time.perf_counter(), time.process_time()
    progress.report(label, 0, int(recipe["epochs"]))
    with _whole_epoch_per_call(model, len(x), recipe, x, budget_s):
        submission.invoke(model.fit, "model.fit(...) with your compile settings and recipe", x, y,
                          verbose=0, callbacks=[callback], **recipe)
    seconds = time.perf_counter() - started
    if callback.over_budget:
        raise CheckFailure(
            f"training did not finish within the time budget of {budget_s:g} s of CPU time "
            f"(stopped after {callback.epochs_run} of {recipe['epochs']} epochs, "
            f"{time.process_time() - cpu_started:.1f} s of CPU)",
            hint="use fewer epochs, a larger batch size, or a smaller model",
        )
    return TrainingRun(callback.epochs_run, seconds)


@contextlib.contextmanager
def _whole_epoch_per_call(model: keras.Model, n_examples: int, recipe: dict, x_first: np.ndarray,
                          budget_s: float) -> Iterator[None]:
    """Within the block, one call of the traced train function runs a whole epoch's batches
    (`steps_per_execution`) instead of returning to Python after each: the same steps on the same
    batches in the same order — the weights come out bit-identical (tests/test_training.py) — without
    the per-batch dispatch and callback round trip, about a third of the training's CPU time at the
    course's model sizes. The grader's callbacks act at epoch ends only, so they see no difference.
    The learner's own setting (and functions traced for it) is restored afterwards.

    Only for a model whose `train_step` is Keras's own (a learner's own `train_step` keeps running one
    batch per call, as written), and only when an epoch is cheap next to the budget (`_epoch_is_cheap`):
    the budget is checked between calls, so an expensive model keeps one batch per call and is stopped
    within a batch of its budget."""
    train_step = getattr(type(model), "train_step", None)
    batch_size = int(recipe.get("batch_size") or 32)
    if not str(getattr(train_step, "__module__", "")).startswith("keras.") or \
            not _epoch_is_cheap(model, x_first, batch_size, n_examples, budget_s):
        yield
        return
    own = model.steps_per_execution
    model.steps_per_execution = max(own, -(-n_examples // batch_size))
    try:
        yield
    finally:
        if model.steps_per_execution != own:
            model.steps_per_execution = own
            model.train_function = model.test_function = None  # traced for the other setting


CHEAP_EPOCH_SHARE = 0.1  # an epoch estimated under this share of the budget may run as one call


def _epoch_is_cheap(model: keras.Model, x_first: np.ndarray, batch_size: int, n_examples: int,
                    budget_s: float) -> bool:
    """Whether an epoch is estimated to cost under CHEAP_EPOCH_SHARE of `budget_s` CPU seconds: three
    times (forward and backward) the cheaper of two eager inference calls on one batch (`x_first`), per
    batch. The calls change no weight or state (training=False); any error means "not cheap" and fit
    reports it as usual."""
    try:
        costs = []
        for _ in range(2):
            started = time.process_time()
            model(x_first[:batch_size], training=False)
            costs.append(time.process_time() - started)
    except Exception:  # noqa: BLE001 - the learner's model: fit reports its error in the learner's terms
        return False
    steps = -(-n_examples // batch_size)
    return 3 * min(costs) * steps < CHEAP_EPOCH_SHARE * budget_s


def held_out_accuracy(model: keras.Model, x: np.ndarray, y: np.ndarray) -> float:
    """Fraction of held-out images whose argmax prediction equals the label."""
    outputs = predict_numpy(model, x)
    if outputs.ndim != 2 or outputs.shape[1] != 10:
        raise CheckFailure(f"the model's predictions have shape {outputs.shape}; expected (n, 10)")
    if not np.all(np.isfinite(outputs)):
        raise CheckFailure(
            "the model's predictions contain NaN or infinite values after training",
            hint="a learning rate that is too high makes training diverge",
        )
    return float(np.mean(np.argmax(outputs, axis=-1) == y))


def expect_accuracy(accuracy: float, threshold: float, dataset_name: str, n_images: int,
                    epochs: int) -> None:
    if accuracy < threshold:
        raise CheckFailure(
            f"accuracy {accuracy:.3f} on the held-out split ({dataset_name}, {n_images:,} images) is "
            f"below the threshold {threshold:.2f} after {epochs} epochs",
            expected=f"≥ {threshold:.2f}", got=f"{accuracy:.3f}",
            hint="train for more epochs, check the loss uses from_logits=True for a logits model, "
            "or lower the learning rate",
        )


def with_fresh_weights(model: keras.Model, seed: int, input_shape: tuple[int, ...]) -> keras.Model:
    """`model` with every weight initialised anew from its config under `seed`, so that training starts
    from weights the grader made (whatever weights the learner's code returned are discarded).

    Sequential and functional models are cloned from their config (Keras' own initialisers, one seed).
    A subclassed model cannot be rebuilt from a config; it is returned as it is (only `course check`
    holds one: it was built by `build_model()` a moment ago, after the same seeding). CheckFailure for an
    initialiser that holds its values (`expect_initialisers_draw`): cloning would hand them back.
    """
    from grader.checks.graph import api_of
    from grader.checks.introspect import ensure_built

    if api_of(model) == "subclassed":
        return model
    expect_initialisers_draw(model)
    expect_no_data_in_the_structure(model)
    seed_everything(seed)
    try:
        clone = keras.models.clone_model(model)
    except Exception:  # noqa: BLE001 - a learner's own layer without a config (course check only: batch
        return model  # grading rebuilds models from Keras' own classes, which always clone)
    return ensure_built(clone, input_shape)


def expect_initialisers_draw(model: keras.Model) -> None:
    """CheckFailure if a layer's initialiser holds more than one value (`Constant(array)`): re-initialising
    from the config would give back those weights, trained anywhere (on the held-out images too), and
    training would start from them instead of from weights the grader draws."""
    for position, layer in enumerate(model._flatten_layers(include_self=False), start=1):
        for attribute, value in vars(layer).items():
            held = np.asarray(value.value) if isinstance(value, keras.initializers.Constant) else None
            if held is not None and held.size > 1:
                raise CheckFailure(
                    f"layer {position} ({type(layer).__name__})'s {attribute.lstrip('_')} holds "
                    f"{held.size:,} values, so training would start from them",
                    expected="initialisers that draw the weights, or fill them with one value",
                    got=f"Constant(an array of shape {held.shape})",
                    why="the grader re-initialises the model from its config before training, to measure what "
                    "your recipe learns from weights it draws; an initialiser holding an array gives the same "
                    "weights back every time",
                    hint="leave kernel_initializer and bias_initializer at their defaults (or a single value)",
                )


# Numbers a model's structure may hold (outside its weights): every setting of every layer and operation
# (units, rates, a 1/255 scale, a reshape target, a slope) counts, shapes and axes aside. The reference
# models hold under 20; 128 numbers cannot hold a classifier of 28×28 images that reaches the thresholds
# (a linear one of a 7×7 pooling holds 500, of a 3×3 pooling 100, and that one is far below them).
MAX_NUMBERS_IN_STRUCTURE = 128
# Config keys whose values are shapes, axes, sizes or seeds: what the structure is, not data it computes
# with (a seed decides weights that re-initialising draws anew; it cannot be chosen to hold trained ones)
_STRUCTURAL_KEYS = frozenset({
    "batch_shape", "shape", "target_shape", "dims", "kernel_size", "strides", "pool_size", "dilation_rate",
    "padding", "cropping", "size", "axis", "axes", "output_shape", "input_shape", "build_config", "noise_shape",
    "keras_history", "batch_input_shape", "build_input_shape", "input_layers", "output_layers", "seed",
    "compile_config"})


def numbers_in_structure(config) -> int:
    """How many numbers the serialized model `config` (its JSON, as keras.saving.serialize_keras_object
    gives it) holds outside its weights: every number of every layer's and operation's settings and
    arguments (`__numpy__` and `__tensor__` arrays included), except under _STRUCTURAL_KEYS and in the
    references to other layers' outputs (`__keras_tensor__`)."""

    def count(value, key: str | None = None) -> int:
        if key in _STRUCTURAL_KEYS or isinstance(value, bool) or value is None or isinstance(value, str):
            return 0
        if isinstance(value, (int, float)):
            return 1
        if isinstance(value, list):
            return sum(count(v) for v in value)
        if isinstance(value, dict):
            if value.get("class_name") == "__keras_tensor__":
                return 0
            return sum(count(v, k) for k, v in value.items())
        return 0

    return count(config)


def expect_no_data_in_the_structure(model: keras.Model) -> None:
    """CheckFailure if the model's structure holds more than MAX_NUMBERS_IN_STRUCTURE numbers outside its
    weights (numbers_in_structure): an array passed to `ops.matmul`, a Rescaling by an array, a slope per
    pixel. Re-initialising the weights leaves them as they are, so a model trained anywhere (on the
    held-out images too) could hand its weights over that way, and training would start from them (an
    outside attack: a linear model trained offline in a matmul's constant, a tiny Dense beside it, the
    capstone's every point)."""
    import json

    try:  # as a .keras file or a batch reply writes it: JSON (tuples become lists)
        config = json.loads(json.dumps(keras.saving.serialize_keras_object(model), default=str))
    except Exception:  # noqa: BLE001 - a model Keras cannot serialise: cloning reports it in its own terms
        return
    held = numbers_in_structure(config)
    if held > MAX_NUMBERS_IN_STRUCTURE:
        raise CheckFailure(
            f"the model's structure holds {held:,} numbers outside its weights (arrays or values passed to "
            "operations and layers), so training would not start only from weights the grader draws",
            expected=f"at most {MAX_NUMBERS_IN_STRUCTURE} (the layers' settings: units, rates, a 1/255 scale)",
            got=f"{held:,}",
            why="the grader re-initialises the model's weights before training, to measure what your recipe "
            "learns; numbers written into the model itself stay as they are",
            hint="learn the model's numbers as weights (Dense, Conv2D) rather than passing arrays to operations or "
            "layers; to standardise the images, scale them (Rescaling(1/255)) or let BatchNormalization learn it",
        )


def _learning_rate(model: keras.Model) -> float | None:
    try:
        return float(np.asarray(keras.ops.convert_to_numpy(model.optimizer.learning_rate)))
    except Exception:  # noqa: BLE001 - an optimizer without a readable rate: judged after training
        return None


def expect_can_learn(model: keras.Model) -> None:
    """CheckFailure if training cannot change the compiled `model`'s weights: nothing trainable, or a
    learning rate that is not positive."""
    if not model.trainable_weights:
        raise CheckFailure(
            "the model has no trainable weights, so training cannot change it",
            expected="trainable weights (at least the last Dense layer's)", got="every layer frozen",
            why="the grader trains the model from fresh weights; frozen weights stay at their random start",
            hint="leave the layers trainable (no `trainable=False`)",
        )
    rate = _learning_rate(model)
    if rate is not None and not rate > 0:
        raise CheckFailure(
            f"the optimizer's learning rate is {rate:g}, so training cannot change any weight",
            expected="a learning rate > 0", got=f"{rate:g}",
            why="each step moves the weights by the learning rate times the gradient",
            hint="keep the optimizer's default learning rate, or another small positive one",
        )


def expect_trained_accuracy(model: keras.Model, submission: Submission, dataset, recipe: dict, exercise,
                            notes: list[str], *, note_extra: str = "") -> None:
    """Fit `model` on `dataset` with `recipe` within the exercise's time budget, note the held-out accuracy
    reached, and require the exercise's threshold for this dataset (`expect_accuracy`).

    A model that cannot learn (`expect_can_learn`), or whose weights training left exactly as they were,
    fails: only what training reaches from the grader's starting weights counts. An identical training
    run measured before (grader.checks.training_cache) is reused, not repeated; the note says so."""
    from grader.checks import training_cache

    expect_can_learn(model)
    key = training_cache.training_key(model, recipe, dataset)
    result = training_cache.load(key) if key else None
    reused = result is not None
    if result is None:
        before = [np.array(v) for v in model.trainable_weights]
        run = fit_within_budget(model, submission, dataset.x_train, dataset.y_train, recipe, exercise.time_budget_s,
                                label=f"training on {dataset.name}")
        if all(np.array_equal(b, np.asarray(v)) for b, v in zip(before, model.trainable_weights, strict=True)):
            raise CheckFailure(
                f"training ({run.epochs_run} epochs) left every weight of the model exactly as it was",
                why="the grader trains from fresh weights; a recipe that changes nothing reaches chance accuracy",
                hint="check the optimizer's settings: a learning rate > 0, and no layer frozen",
            )
        try:
            result = training_cache.TrainingResult(held_out_accuracy(model, dataset.x_test, dataset.y_test), None,
                                                   run.epochs_run, run.seconds)
        except CheckFailure as failure:
            result = training_cache.TrainingResult(None, failure.as_dict(), run.epochs_run, run.seconds)
        if key:
            training_cache.store(key, result)
    if result.failure is not None:
        raise CheckFailure.from_dict(result.failure)
    threshold = exercise.threshold(dataset.name)
    how = (f"reused from an identical earlier training run (key {key[:12]}), which took {result.seconds:.1f} s"
           if reused else f"{result.seconds:.1f} s of training")
    notes.append(f"held-out accuracy {result.accuracy:.3f} (threshold {threshold:.2f}) after {result.epochs_run} "
                 f"epochs, {how}{note_extra}")
    expect_accuracy(result.accuracy, threshold, dataset.name, len(dataset.x_test), result.epochs_run)


def seed_everything(seed: int) -> None:
    """One seed for Python, numpy and TensorFlow, and deterministic TensorFlow ops."""
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    try:
        tf.config.experimental.enable_op_determinism()
    except Exception:  # noqa: BLE001 - already enabled
        pass
