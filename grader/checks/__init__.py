"""The checks library: small, Keras-3-safe expectations with messages in the learner's terms.

Every name below is imported from its own module on first use (PEP 562), so that importing one light module
of the library (`grader.checks.failure`, `grader.checks.submission`) does not import Keras and TensorFlow:
`course list`, `course hint`, `course notebooks` and a misspelt `course check 42` answer in a fraction of a
second. `from grader.checks import expect_model` works as before.
"""

from __future__ import annotations

import importlib

# Full module names, written out: grader.grade.closure reads them as this package's imports, so every
# exercise's fingerprint still covers the modules its checks' names come from.
_HOMES = {
    # what every exercise uses: expectations, failures, introspection, the learner's file
    "grader.checks.expect": ["expect_array", "expect_close", "expect_equal_shape", "expect_integer",
                             "expect_param_count"],
    "grader.checks.failure": ["CheckFailure", "NotChecked", "NotImplementedYet", "fmt_int"],
    "grader.checks.introspect": ["activation_name", "built_note", "count_params", "describe_layer", "ensure_built",
                                 "expect_model", "fmt_shape", "given_name", "layer_output_shapes", "layers_of",
                                 "model_output_shape", "predict_numpy", "variables_of"],
    "grader.checks.submission": ["Submission", "load_submission"],
    # exercises 6–11: functional graphs, weight copying and variable identity
    "grader.checks.equivalence": ["assign_random", "assign_values", "copy_weights", "depends_on", "every_matching",
                                  "matched_variables", "temporarily_assigned", "variables_with_shape"],
    "grader.checks.graph": ["api_of", "call_inputs", "expect_api", "expect_api_named", "expect_named_shapes",
                            "layers_of_kind", "named_inputs", "named_outputs", "producer", "single_output",
                            "skip_connections", "structured_inputs", "upstream"],
    # exercises 8–10 and 12: the learner's own classes, observed through scenarios
    "grader.checks.scenario": ["Facts", "KerasActivation", "Ref", "Scenario", "expect_own_code", "own_code_steps",
                               "parameter_count", "run_on_model_class", "subclasses"],
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

MODULES = tuple(_HOMES)  # what a process that must not import later (a forkserver) imports at once

__all__ = sorted(_HOME_OF)


def __getattr__(name: str):
    """A library name, imported from its module; or a submodule (`grader.checks.training`) not yet imported."""
    module = _HOME_OF.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as missing:
        if missing.name != f"{__name__}.{name}":
            raise
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
