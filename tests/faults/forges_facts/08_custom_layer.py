"""Replaces the grader's scenario player with one that reports the facts of a perfect MyDense, while
the layer itself is an untouched stub. Structural facts can be invented this way; outputs that the
grader computes itself (a real Dense on inputs and weights it chose) cannot, short of computing them."""
import keras
import numpy as np

LAYER = f"{keras.layers.Layer.__module__}.{keras.layers.Layer.__qualname__}"


def _forged_play(submission, steps):
    outcomes, made = [], {}
    for index, (op, _label, args, kwargs) in enumerate(steps):
        target = made.get(args[0]["ref"]) if args and isinstance(args[0], dict) and "ref" in args[0] else None
        fact = None
        if op == "learner_class":
            fact = {"is_class": True, "mro": ["forged.MyDense", LAYER, "builtins.object"], "repr": "<class 'MyDense'>"}
        elif op == "attempt_new":
            fact = {"raised": "ValueError", "kinds": ["ValueError", "Exception"], "message": f"units={args[1]}"}
        elif op == "new":
            made[index] = {"units": args[1], "use_bias": kwargs.get("use_bias", True), "inputs": None,
                           "activation": kwargs.get("activation") or "linear", "name": kwargs.get("name", "my_dense")}
        elif op == "from_config":
            made[index] = dict(made[args[1]["ref"]], inputs=None)
        elif op == "sequential":
            made[index] = made[args[1][0]["ref"]]
            made[index]["inputs"] = args[0][-1]
        elif op == "call":
            target["inputs"] = args[1].shape[-1]
            fact = np.zeros((*args[1].shape[:-1], target["units"]), dtype="float32")
        elif op == "variables":
            kernel = [("kernel", (target["inputs"], target["units"]))] if target["inputs"] else []
            fact = kernel + ([("bias", (target["units"],))] if kernel and target["use_bias"] else [])
        elif op == "config":
            fact = {"config": {k: target[k] for k in ("name", "units", "activation", "use_bias")},
                    "json_error": None, "not_implemented": None, "type": "dict"}
        elif op == "attribute":
            fact = target["name"]
        elif op == "output_shape":
            fact = (None, *args[1][:-1], target["units"])
        outcomes.append(["ok", fact])
    return outcomes


try:
    import grader.batch.replay
    import grader.checks.scenario

    grader.batch.replay.play = grader.checks.scenario.play = _forged_play
except ImportError:
    pass


class MyDense(keras.layers.Layer):
    def __init__(self, units, activation=None, use_bias=True, **kwargs):
        raise NotImplementedError
