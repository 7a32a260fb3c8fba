"""Exercise 12's expectations: a `.keras` round trip of a model with a custom layer, and a frozen base.

The round trip is observed through scenario facts (`Scenario.save_and_reload`, `Scenario.load_saved`);
these helpers turn what Keras raised there into messages that name the mistake behind it. The frozen
feature extractor is a plain Keras model: the grader builds the base with its own weights, and trains
the learner's model itself for a few steps to see which weights move.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from grader.checks.failure import CheckFailure
from grader.checks.inputs import generator
from grader.checks.introspect import ensure_built, expect_model, variables_of
from grader.checks.saved_file import SAVE_HINT

_CONFIG_HINT = "in get_config, add both constructor arguments, as plain lists (an array has .tolist())"
REGISTER_HINT = 'put @keras.saving.register_keras_serializable(package="course") on the line above the class'
_SAVE_HINT = SAVE_HINT + ", then load that same file back and return what it gives"


def expect_saved_and_reloaded(fact: dict, label: str) -> None:
    """The learner's save-and-load function (a `save_and_reload` step's fact) wrote a `.keras` file into
    the directory it was given and returned a model, without raising."""
    if fact["raised"]:
        raise _save_failure(label, fact["raised"], fact["message"])
    if not any(name.endswith(".keras") for name in fact["files"]):
        raise CheckFailure(
            f"`{label}` left no .keras file in the directory it was given",
            expected="a file such as <directory>/model.keras", got=", ".join(fact["files"]) or "an empty directory",
            why="the grader chooses where the file goes (in batch grading it is the only place you may write), "
            "and Keras 3 saves a whole model only to a path ending in .keras",
            hint=_SAVE_HINT,
        )
    if fact["returned"] == "NoneType":
        raise CheckFailure(f"`{label}` returned None", expected="the model loaded back from the file", got="None",
                           hint="return the model that loading the file gave you")
    if fact.get("missing"):
        raise CheckFailure(
            f"`{label}` returned a model that holds no {', '.join(fact['missing'])}",
            expected="the model loaded back from the file: Standardize, then Dense", got="other layers",
            why="loading the file rebuilds every layer of the saved model with its own class, Standardize too",
            hint="return what keras.saving.load_model(path) gives for the file you saved")


def expect_loads_without_custom_objects(fact: dict) -> None:
    """The grader's own `keras.saving.load_model(path)` (a `load_saved` step's fact) loaded the file."""
    if fact["file"] is None:
        raise CheckFailure("the grader found no .keras file to load", hint=_SAVE_HINT)
    if not fact["raised"]:
        if fact.get("missing"):
            raise CheckFailure(
                f"keras.saving.load_model({fact['file']!r}) gave back a model without {', '.join(fact['missing'])}",
                expected="Standardize rebuilt from the file", got="other layers in its place",
                why="loading calls Standardize.from_config(config) for the layer; it must give a Standardize",
                hint="let from_config return cls(**config), or leave the base class's from_config as it is")
        return
    if "Could not locate" in fact["message"]:
        raise CheckFailure(
            f"keras.saving.load_model cannot load {fact['file']} by itself: Standardize is not registered",
            expected="keras.saving.load_model(path) loads the file, with no custom_objects", got=fact["message"][:200],
            why="passing custom_objects= to load_model works only where you pass it; every program that loads "
            "the file would need it. A registered class's name is written into the file, and load_model finds "
            "it with no help",
            hint=REGISTER_HINT,
        )
    raise CheckFailure(f"keras.saving.load_model({fact['file']!r}) raised {fact['raised']}",
                       expected="the model loaded back", got=fact["message"][:200],
                       hint="save the whole model (architecture and weights), not only its weights")


def expect_file_computes(fact: dict, x: np.ndarray, expected: np.ndarray) -> None:
    """The model the grader read from the saved file itself (a `read_saved` step's fact) computes `expected`
    on `x`: the file holds Standardize's mean and std and the Dense weights the model had."""
    from grader.checks.expect import expect_array, expect_close

    if not fact["registered"] or fact["layers"] != ["Standardize", "Dense"]:
        raise CheckFailure(
            "the saved file does not hold the model you were given",
            expected="the model as it was: Standardize, then Dense",
            got=", ".join(fact["layers"]) or "no layers",
            why="saving must keep every layer of the model as it is, your own class included, so that loading it "
            "gives the same model back", hint=_SAVE_HINT)
    expect_close(f"the model in your saved file, read by the grader, on a batch of shape {x.shape}",
                 expect_array("its output", fact["output"]), expected, atol=1e-4,
                 why="the grader reads the file itself, as a program with only Keras would: Standardize rebuilt "
                 "from the mean and std in its config in the file, the Dense layer from the weights in the file",
                 hint=_SAVE_HINT)


def expect_config_gives_back(fact: dict, mean: np.ndarray, std: np.ndarray) -> None:
    """Standardize.get_config() (a `config` step's fact) gives the mean and std the layer was made with, as
    plain lists: what `model.save` writes into the file (a file that holds them while get_config does
    not give them was not written by Keras from this layer)."""
    config = fact["config"] if isinstance(fact.get("config"), dict) else {}
    given = [np.asarray(config.get(key), dtype="float64") if isinstance(config.get(key), list) else None
             for key in ("mean", "std")]
    if any(g is None or g.shape != v.shape or not np.allclose(g, v, atol=1e-6) for g, v in zip(given, (mean, std),
                                                                                             strict=True)):
        raise CheckFailure(
            "Standardize.get_config() does not give back the mean and std the layer was made with, as lists",
            expected="'mean' and 'std' in the config, as plain lists",
            got="no get_config" if fact.get("not_implemented") is not None else sorted(config) or fact.get("type"),
            why="model.save writes each layer's get_config() into the file, and loading rebuilds the layer from it",
            hint=_CONFIG_HINT)


def expect_registered_in_file(fact: dict) -> None:
    """The saved file (a `read_saved` step's fact) names Standardize by a registered name ("package>Name"):
    the name keras.saving.load_model looks up."""
    names = fact["registered"]
    if not names or not all(">" in name for name in names):
        raise CheckFailure(
            "the saved file names Standardize without a package: the class was not registered when it was saved",
            expected="a registered name such as 'course>Standardize'", got=", ".join(map(repr, names)) or "none",
            why="keras.saving.load_model finds a class of your own by the registered name written in the file",
            hint=REGISTER_HINT,
        )


def _save_failure(label: str, raised: str, message: str) -> CheckFailure:
    if "Could not locate" in message:
        return CheckFailure(
            "the model was saved, but loading it failed: Keras found no class under the name in the file",
            expected="the model loaded back", got=message[:200],
            why="a .keras file names each layer's class; keras.saving.load_model finds a class of your own only "
            "if it was registered under that name",
            hint=REGISTER_HINT,
        )
    if raised == "NotImplementedError" and "get_config" in message:
        return CheckFailure(
            "the model could not be saved: Standardize has no get_config()",
            expected="model.save(path) writes the file", got=message[:200],
            why="saving writes every layer's config; Keras writes one by itself only when every argument "
            "given to __init__ is a plain str, int, float, bool or None, and mean and std are numpy arrays",
            hint="give Standardize a get_config that starts from the base class's config and adds what __init__ needs",
        )
    if raised == "TypeError" and "__init__()" in message:
        return CheckFailure(
            "the model was saved, but Standardize could not be rebuilt from its saved config",
            expected="Standardize(**config) rebuilds the layer", got=message[:200],
            why="loading calls Standardize.from_config(config), that is Standardize(**config): the config must "
            "hold every constructor argument (mean and std) under its own name",
            hint=_CONFIG_HINT,
        )
    if raised == "TypeError" and "'dict'" in message:
        return CheckFailure(
            "the model was saved, but Standardize received a dict instead of an array when it was loaded",
            expected="mean and std back as they were passed", got=message[:200],
            why="the file stores the config as JSON; a numpy array in the config is written as a tagged dict "
            "({'class_name': '__numpy__', ...}), and loading passes that dict to __init__ unchanged",
            hint=_CONFIG_HINT,
        )
    return CheckFailure(f"`{label}` raised {raised}: {message[:200]}", hint=_SAVE_HINT)


# The frozen feature extractor.
BASE_INPUT = 8
BASE_UNITS = (6, 5)


def reference_base(seed: int, units: tuple[int, ...] = BASE_UNITS, inputs: int = BASE_INPUT) -> keras.Model:
    """The grader's "trained" base: Input(inputs) → Dense(u, relu) for u in units, with seeded weights."""
    keras.utils.set_random_seed(seed)
    layers = [keras.layers.Dense(u, activation="relu", name=f"features_{i}") for i, u in enumerate(units, 1)]
    base = keras.Sequential([keras.Input(shape=(inputs,)), *layers], name="base")
    rng = generator(seed)
    base.set_weights([rng.normal(scale=0.5, size=w.shape).astype("float32") for w in base.weights])
    return base


@dataclass
class FrozenClassifier:
    """What `classifier_on_frozen_features(base, num_classes)` returned, and what the grader knows."""

    model: keras.Model
    base_values: list[np.ndarray]  # the base's weights before the learner's function saw it
    num_classes: int

    def features(self, x: np.ndarray) -> np.ndarray:
        """The base's output on `x`, computed by the grader from the base's original weights."""
        for kernel, bias in zip(self.base_values[::2], self.base_values[1::2], strict=True):
            x = np.maximum(x @ kernel + bias, 0)
        return x

    def base_variables(self) -> list[keras.Variable]:
        """The model's variables that hold the base's weights (matched by value; each used once)."""
        found, taken = [], set()
        for value in self.base_values:
            match = next((v for v in variables_of(self.model) if id(v) not in taken
                          and tuple(v.shape) == value.shape and np.array_equal(v.numpy(), value)), None)
            if match is None:
                raise CheckFailure(
                    "the new model does not hold base's trained weights",
                    expected=f"the {len(self.base_values)} weights of base, unchanged", got=f"{len(found)} of them",
                    why="a feature extractor is useful because of what it learned: its weights must be reused "
                    "as they are",
                    hint="call base itself on the new input, as a layer; do not "
                    "clone, rebuild or re-initialise it",
                )
            taken.add(id(match))
            found.append(match)
        return found

    def head(self) -> tuple[keras.Variable, keras.Variable]:
        """The new head's variables: its kernel (features, num_classes) and bias (num_classes,)."""
        frozen = {id(v) for v in self.base_variables()}
        rest = [v for v in variables_of(self.model) if id(v) not in frozen]
        features = self.base_values[-1].shape[0]
        shapes = [(features, self.num_classes), (self.num_classes,)]
        parts = [next((v for v in rest if tuple(v.shape) == shape), None) for shape in shapes]
        if any(p is None for p in parts) or len(rest) != 2:
            raise CheckFailure(
                "the new model's weights beyond base are not one Dense(num_classes) layer",
                expected=f"a kernel {shapes[0]} and a bias {shapes[1]}", got=[tuple(v.shape) for v in rest],
                hint="add exactly one keras.layers.Dense(num_classes) after base",
            )
        return parts[0], parts[1]

    def initialise_head(self, seed: int) -> None:
        """Give the head the grader's own starting weights, so that what happens next does not depend on
        the random state of the process that built the model."""
        rng = generator(seed)
        for variable in self.head():
            variable.assign(rng.normal(scale=0.3, size=tuple(variable.shape)).astype("float32"))

    def base_weight_name(self, index: int) -> str:
        """How messages name the base's `index`-th weight: "base layer 1's kernel"."""
        return f"base layer {index // 2 + 1}'s {'kernel' if index % 2 == 0 else 'bias'}"


def frozen_classifier(submission, base: keras.Model, num_classes: int) -> FrozenClassifier:
    """Call the learner's `classifier_on_frozen_features(base, num_classes)`; it must return a model,
    which is built on base's input if it has no weights yet (a new Sequential restacking `base.layers`
    has no input shape until it is first called, and its head no weights until then)."""
    values = [np.asarray(w).copy() for w in base.get_weights()]
    label = "classifier_on_frozen_features(base, num_classes)"
    model = expect_model(submission.call("classifier_on_frozen_features", base, num_classes), label)
    return FrozenClassifier(ensure_built(model, tuple(base.input_shape[1:])), values, num_classes)


def trainable_count(model: keras.Model) -> int:
    """Scalars in the model's trainable weights (the real property, not an override)."""
    return int(sum(np.prod(v.shape) for v in keras.layers.Layer.trainable_weights.fget(model)))


def train_briefly(frozen: FrozenClassifier, seed: int) -> None:
    """From the grader's own head weights, compile with Adam and sparse cross-entropy on logits, and fit
    2 epochs of random data (64 examples), deterministically."""
    model = frozen.model
    frozen.initialise_head(seed)
    if not keras.layers.Layer.trainable_weights.fget(model):
        return  # nothing can move, and fit has nothing to update
    rng = generator(seed)
    x = rng.normal(size=(64, frozen.base_values[0].shape[0])).astype("float32")
    y = rng.integers(0, frozen.num_classes, size=64)
    keras.utils.set_random_seed(seed)
    try:
        model.compile(optimizer=keras.optimizers.Adam(0.05),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        model.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    except Exception as error:  # noqa: BLE001 - the learner's model runs here
        raise CheckFailure(f"the grader could not train the new model ({type(error).__name__})",
                           got=str(error)[:200], hint="return a model whose output is (batch, num_classes) logits") from None
