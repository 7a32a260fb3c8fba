"""Answers exercise 3 half-way (relu is a 0/1 switch, softmax overflows, predict_classes takes the
smallest logit) and forges the fields of its replies that the grader replays: it claims every argument
was overwritten with the expected answer and returned (`args_after`, `returns_arg`), points at arrays
and arguments that do not exist, sends fields of the wrong types, a value the grader "could not take
back" with a crafted message (`unusable`), and bogus compile settings (`compiled`). With FORGE = False
it is its own honest control."""
import numpy as np


def relu(x):
    return (np.asarray(x) > 0).astype("float64")


def softmax(logits, axis=-1):
    e = np.exp(np.asarray(logits, dtype="float64"))
    return e / e.sum(axis=axis, keepdims=True)


def predict_classes(logits):
    return np.argmin(np.asarray(logits), axis=-1)


# --- the forger (the same in each exercise file of this fault) ----------------------------------------
FORGE = True
CRAFTED = {"summary": "All checks passed: full marks <script>alert('feedback')</script> " * 400,
           "expected": {"points": "all"}, "got": [10 ** 40], "why": None, "hint": "\x1b[2J"}
COMPILED = [
    '{"optimizer": {"module": "keras.utils", "class_name": "get_file", "config": {"origin": '
    '"file:///etc/hostname", "fname": "forged-by-a-student", "cache_dir": "/tmp"}}, "loss": "mse"}',
    '{"optimizer": {"module": "os", "class_name": "system", "config": {"command": "touch /tmp/forged"}}}',
    '{not json', '{"optimizer": 12345, "loss": {"class_name": "NoSuchLoss", "config": {}}}', 7, None,
]


def _expected(probe):
    import keras

    x = np.asarray(probe.args[0])
    if probe.name == "relu":
        return np.asarray(keras.activations.relu(x)).astype(x.dtype)
    if probe.name == "softmax":
        return np.asarray(keras.activations.softmax(x, axis=dict(probe.kwargs).get("axis", -1))).astype(x.dtype)
    return np.argmax(x, axis=-1)


def _claims_the_answer(probe, entry, arrays):
    """Every array argument 'became' the expected answer, and the function returned it."""
    if probe.args and isinstance(probe.args[0], np.ndarray):
        arrays.append(_expected(probe))
        entry["args_after"] = {"0": {"array": len(arrays) - 1}}
    entry["returns_arg"] = 0


def _odd_indices(probe, entry, arrays):
    entry["args_after"] = {"0": {"array": 10 ** 12}, "7": {"array": 0}, "-1": {"array": 0}, "\u0663": {"array": 0}}
    entry["returns_arg"] = 10 ** 30


def _wrong_types(probe, entry, arrays):
    entry["args_after"] = {"0": {"dict": "not a dict"}}
    entry["returns_arg"] = True
    entry["compiled"] = 7


def _nested(probe, entry, arrays):
    entry["args_after"] = {"0": {"list": [{"array": -1}]}}
    entry["returns_arg"] = "0"


def _a_model(probe, entry, arrays):
    entry["args_after"] = {"0": {"model": "{}", "weights": [0]}}
    entry["returns_arg"] = -1


def _crafted_unusable(probe, entry, arrays):
    entry.pop("value", None)
    entry["unusable"] = CRAFTED


def _unusable_of_another_type(probe, entry, arrays):
    entry["unusable"] = "not a failure"
    entry["args_after"] = [1, 2]


def _no_value(probe, entry, arrays):
    entry.pop("value", None)
    entry["compiled"] = {"{}": 1}


FORGERIES = [_claims_the_answer, _odd_indices, _wrong_types, _nested, _a_model, _crafted_unusable,
             _unusable_of_another_type, _no_value]


def _forge(probe, entry, arrays, count):
    if "failure" in entry:
        return
    if probe.name == "<scenario>":  # every listed set of weights: none (exercise 1's "no parameters")
        outcomes = entry.get("value", {}).get("list") or []
        for index, (op, *_rest) in enumerate(probe.args[0]):
            if op == "variables" and index < len(outcomes):
                outcomes[index] = {"list": ["ok", {"list": []}]}
        return
    if probe.name == "compile_model":
        entry["compiled"] = [COMPILED[count % len(COMPILED)]]
        return
    FORGERIES[count % len(FORGERIES)](probe, entry, arrays)


def _install():
    try:
        import grader.grade.replay as replay
    except ImportError:
        return
    if getattr(replay.answer_probe, "forged", False):
        return
    original, count = replay.answer_probe, [0]

    def forged(submission, probe, commit=None):
        entry, arrays = original(submission, probe, commit)
        try:
            submission.notes.append("N" * 100_000 if count[0] % 2 else {"note": ["not", "text"]})
            _forge(probe, entry, arrays, count[0])
        except Exception:  # noqa: BLE001
            pass
        count[0] += 1
        return entry, arrays

    forged.forged = True
    replay.answer_probe = forged


if FORGE:
    _install()
