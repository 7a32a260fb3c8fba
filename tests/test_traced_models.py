"""A subclassed capstone model crosses from the student's process as the functional graph its call() traces
(grader.grade.replay.as_transferable, grader.grade.values.functional_equivalent); the grader rebuilds it
from Keras' own classes only."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest

from grader.grade.replay import as_transferable
from grader.grade.values import NotTransferable, decode, encode


class PooledNet(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.pool = keras.layers.AveragePooling2D(2)
        self.flat = keras.layers.Flatten()
        self.hidden = keras.layers.Dense(16, activation="relu")
        self.head = keras.layers.Dense(10)

    def call(self, images, training=False):
        x = self.pool(keras.ops.expand_dims(images, -1))
        return self.head(self.hidden(self.flat(x)))


class ReadsValues(PooledNet):
    def call(self, images, training=False):
        if float(keras.ops.max(images)) > 1.0:  # Python reading the input's values: no symbolic trace
            images = images / 255.0
        return super().call(images)


def test_a_subclassed_capstone_model_travels_as_the_functional_graph_it_computes():
    model = PooledNet()
    arrays: list = []
    encoded = encode(as_transferable(model, "11"), arrays)
    classes = {layer["class_name"] for layer in json.loads(encoded["model"])["config"]["layers"]}
    assert classes == {"InputLayer", "ExpandDims", "AveragePooling2D", "Flatten", "Dense"}, classes  # ExpandDims: keras.ops
    rebuilt = decode(encoded, arrays)
    x = np.random.default_rng(0).uniform(size=(3, 28, 28)).astype("float32")
    np.testing.assert_allclose(np.asarray(rebuilt(x)), np.asarray(model(x)), atol=1e-6)
    assert rebuilt.count_params() == model.count_params() == 196 * 16 + 16 + 16 * 10 + 10


def test_a_subclassed_model_whose_call_reads_values_says_it_cannot_be_traced():
    with pytest.raises(NotTransferable, match="could not trace on a symbolic input of shape"):
        as_transferable(ReadsValues(), "11")


def test_exercises_without_an_input_shape_keep_refusing_subclassed_models():
    model = PooledNet()
    assert as_transferable(model, "04") is model
    with pytest.raises(NotTransferable, match="a subclassed model"):
        encode(model, [])


def test_a_capstone_model_with_lambda_layers_travels_with_their_operations_inlined():
    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Lambda(lambda x: keras.ops.expand_dims(x / 2.0, -1)),
                              keras.layers.AveragePooling2D(2), keras.layers.Flatten(), keras.layers.Dense(10)])
    arrays: list = []
    encoded = encode(as_transferable(model, "11"), arrays)
    assert "Lambda" not in {layer["class_name"] for layer in json.loads(encoded["model"])["config"]["layers"]}
    rebuilt = decode(encoded, arrays)
    x = np.random.default_rng(1).uniform(size=(2, 28, 28)).astype("float32")
    np.testing.assert_allclose(np.asarray(rebuilt(x)), np.asarray(model(x)), atol=1e-6)
    assert isinstance(model.layers[0], keras.layers.Lambda) and model.layers[0](np.ones((1, 2), "float32")).shape \
        == (1, 2, 1)  # the learner's own layer is left as it was


def test_a_new_sequential_restacking_a_given_model_s_layers_travels_built_with_their_weights():
    """`keras.Sequential(base.layers + [Dense(3)])` (exercise 12, base a Sequential) is not built when
    returned: base's layers hold their trained weights, the head none, and an unbuilt model travels
    without weights. It is built on the input of the model it was given, as the checks build it."""
    base = keras.Sequential([keras.Input((6,)), keras.layers.Dense(4, activation="relu")])
    base.set_weights([np.full((6, 4), 0.25, "float32"), np.arange(4, dtype="float32")])
    restacked = keras.Sequential(base.layers + [keras.layers.Dense(3)])
    assert not restacked.built
    arrays: list = []
    encoded = encode(as_transferable(restacked, "12", [base]), arrays)
    rebuilt = decode(encoded, arrays)
    assert [w.shape for w in rebuilt.get_weights()] == [(6, 4), (4,), (4, 3), (3,)]
    np.testing.assert_array_equal(rebuilt.get_weights()[0], base.get_weights()[0])
    x = np.random.default_rng(2).normal(size=(2, 6)).astype("float32")
    np.testing.assert_allclose(np.asarray(rebuilt(x)), np.asarray(restacked(x)), atol=1e-6)


class FrozenHead(keras.Model):
    """Exercise 12's classifier written as a subclassed model: the given base, frozen, then a new head."""

    def __init__(self, base, classes, **kwargs):
        super().__init__(**kwargs)
        self.base = base
        self.base.trainable = False
        self.head = keras.layers.Dense(classes)

    def call(self, x):
        return self.head(self.base(x, training=False))


def test_a_subclassed_model_built_on_a_given_model_travels_as_its_graph_on_that_model_s_input():
    """Exercise 12 names no input shape of its own: a subclassed classifier on the frozen base it was given
    is traced on the base's input, and travels with the base's weights, still frozen, and its new head."""
    base = keras.Sequential([keras.Input((6,)), keras.layers.Dense(4, activation="relu")])
    base.set_weights([np.full((6, 4), 0.25, "float32"), np.arange(4, dtype="float32")])
    model = FrozenHead(base, 3)
    model(np.zeros((1, 6), "float32"))
    arrays: list = []
    rebuilt = decode(encode(as_transferable(model, "12", [base]), arrays), arrays)
    np.testing.assert_array_equal(rebuilt.get_weights()[0], base.get_weights()[0])
    assert [tuple(w.shape) for w in rebuilt.trainable_weights] == [(4, 3), (3,)]
    x = np.random.default_rng(3).normal(size=(2, 6)).astype("float32")
    np.testing.assert_allclose(np.asarray(rebuilt(x)), np.asarray(model(x)), atol=1e-6)


class PixelEncoder(keras.layers.Layer):
    """A layer of the learner's own class made of Keras layers (exercise 7's shared encoder)."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.flatten = keras.layers.Flatten()
        self.project = keras.layers.Dense(units, activation="relu")

    def call(self, images, training=None):
        return self.project(self.flatten(images))


class OwnKernel(keras.layers.Layer):
    """A layer holding a weight it made itself: no Keras class holds it."""

    def build(self, shape):
        self.kernel = self.add_weight(shape=(shape[-1], 2))

    def call(self, x):
        return keras.ops.matmul(x, self.kernel)


def _siamese(encoder: keras.layers.Layer) -> keras.Model:
    left, right = keras.Input((4, 4), name="left"), keras.Input((4, 4), name="right")
    joined = keras.layers.Concatenate()([encoder(left), encoder(right)])
    return keras.Model([left, right], {"same": keras.layers.Dense(1, name="same")(joined)})


def test_a_layer_of_the_learner_s_own_class_travels_as_the_keras_layers_it_calls_still_shared():
    """In any exercise, a functional model holding a layer of the learner's own class made of Keras layers
    (an encoder called on two inputs) travels as the graph that layer's call traces on the model's own
    inputs: Keras' classes only, the input names and the output structure kept, the encoder's Dense still
    one layer holding one kernel that both branches use."""
    model = _siamese(PixelEncoder(3))
    arrays: list = []
    encoded = encode(as_transferable(model, "07"), arrays)
    classes = [layer["class_name"] for layer in json.loads(encoded["model"])["config"]["layers"]]
    assert sorted(classes) == ["Concatenate", "Dense", "Dense", "Flatten", "InputLayer", "InputLayer"], classes
    rebuilt = decode(encoded, arrays)
    assert [t.name for t in rebuilt.inputs] == ["left", "right"] and rebuilt.count_params() == model.count_params()
    rng = np.random.default_rng(4)
    left, right = (rng.uniform(size=(2, 4, 4)).astype("float32") for _ in range(2))
    np.testing.assert_allclose(np.asarray(rebuilt([left, right])["same"]), np.asarray(model([left, right])["same"]),
                               atol=1e-6)
    assert sum(tuple(w.shape) == (16, 3) for w in rebuilt.weights) == 1


def test_a_layer_of_the_learner_s_own_class_with_weights_of_its_own_is_still_refused():
    model = _siamese(OwnKernel())
    assert as_transferable(model, "07") is model
    arrays: list = []
    encoded = encode(model, arrays)
    with pytest.raises(NotTransferable, match="class from module"):
        decode(encoded, arrays)


UNTRACKED = keras.layers.Dense(3)  # a module-level layer no model keeps: Keras counts none of its weights


class CallsAnUntrackedLayer(keras.layers.Layer):
    def call(self, images):
        return UNTRACKED(keras.ops.reshape(images, (-1, 16)))


class NoisyWhenTraining(PixelEncoder):
    def call(self, images, training=None):
        encoded = super().call(images)
        return encoded + 1.0 if training else encoded  # Python choosing another graph when training


class NamedHidden(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = keras.layers.Dense(3, name="hidden")

    def call(self, x):
        return self.hidden(keras.ops.reshape(x, (-1, 16)))


@pytest.mark.parametrize("encoder, refusal", [
    (CallsAnUntrackedLayer(), "other weights than the model holds"),
    (NoisyWhenTraining(3), "other layers or operations when training than when predicting"),
])
def test_a_layer_of_the_learner_s_own_class_that_batch_would_judge_otherwise_is_refused(encoder, refusal):
    """What `course check` judges on the model itself must not change in the traced graph: a layer the
    model does not hold (its weights uncounted and untrained in `course check`) or a call that computes
    another graph when training is refused, saying which."""
    with pytest.raises(NotTransferable, match=refusal):
        as_transferable(_siamese(encoder), "07")


def test_a_named_layer_of_the_learner_s_own_class_keeps_naming_its_output_and_names_may_not_clash():
    left = keras.Input((4, 4), name="left")
    model = keras.Model(left, PixelEncoder(3, name="code")(left))
    traced = as_transferable(model, "07")
    assert traced is not model and traced.outputs[0]._keras_history[0].name == "code"
    right = keras.Input((4, 4), name="right")
    twice = keras.Model([left, right], keras.layers.Concatenate()([NamedHidden()(left), NamedHidden()(right)]))
    with pytest.raises(NotTransferable, match="two Keras layers of one name"):
        as_transferable(twice, "07")


def test_only_exercises_whose_checks_read_no_layer_list_trace_the_learner_s_layers():
    """Exercise 6's checks read its layer list, which holds the learner's layer in `course check`: batch
    grading leaves the model as it is there (and refuses the class, as before)."""
    model = _siamese(PixelEncoder(3))
    assert as_transferable(model, "06") is model


def test_the_grading_process_keys_probes_without_importing_keras():
    """The grading process never imports Keras for itself (≈10 s of CPU per `course grade`): a probe's key
    names a model argument as "<model>" whether it is the grader's stand-in or, in a process with Keras, a
    Keras model. Run in a fresh interpreter, where Python's record of imports decides."""
    import subprocess
    import sys

    code = (
        "import sys, numpy as np\n"
        "from grader.grade.replay import LearnerModel, ModelArg, probe_key\n"
        "a = probe_key('compile_model', (ModelArg('{}', ()),), {'x': np.ones(3)})\n"
        "b = probe_key('compile_model', (LearnerModel('build_model', (), ()),), {'x': np.ones(3)})\n"
        "print(a == b, 'keras' in sys.modules, 'tensorflow' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["True", "False", "False"], done.stdout + done.stderr
    from grader.grade.replay import LearnerModel, probe_key

    here = probe_key("compile_model", (keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)]),), {"x": np.ones(3)})
    assert here == probe_key("compile_model", (LearnerModel("build_model", (), ()),), {"x": np.ones(3)})


def test_a_probe_is_keyed_while_another_thread_is_still_importing_keras():
    """The grading process imports Keras in one student's thread (to identify a function of the student's
    own) while other threads key their probes: a Keras module that is in sys.modules but not yet whole must
    not break them (it has no `Model` yet)."""
    import subprocess
    import sys

    code = (
        "import sys, types, numpy as np\n"
        "sys.modules['keras'] = types.ModuleType('keras')  # what another thread's import shows half-way\n"
        "from grader.grade.replay import ModelArg, probe_key\n"
        "print(len(probe_key('f', (ModelArg('{}', ()), np.ones(2), [1, 'a']), {'y': 2.0})))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["64"], done.stdout + done.stderr
