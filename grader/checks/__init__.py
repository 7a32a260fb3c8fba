"""The checks library: small, Keras-3-safe expectations with messages in the learner's terms."""

from grader.checks.expect import (
    expect_array,
    expect_close,
    expect_equal_shape,
    expect_integer,
    expect_param_count,
)
from grader.checks.failure import CheckFailure, NotChecked, NotImplementedYet, fmt_int
from grader.checks.introspect import (
    activation_name,
    built_note,
    count_params,
    describe_layer,
    ensure_built,
    expect_model,
    fmt_shape,
    given_name,
    layer_output_shapes,
    layers_of,
    model_output_shape,
    predict_numpy,
    variables_of,
)
from grader.checks.submission import Submission, load_submission

__all__ = [
    "CheckFailure", "NotChecked", "NotImplementedYet", "Submission", "activation_name", "built_note", "count_params",
    "describe_layer", "ensure_built", "expect_array", "expect_close", "expect_equal_shape", "expect_integer",
    "expect_model", "expect_param_count", "fmt_int", "fmt_shape", "given_name", "layer_output_shapes",
    "layers_of", "load_submission", "model_output_shape", "predict_numpy", "variables_of",
]

# Exercises 6–11: functional graphs, weight copying and variable identity.
from grader.checks.equivalence import (  # noqa: E402
    assign_random,
    assign_values,
    copy_weights,
    depends_on,
    every_matching,
    matched_variables,
    temporarily_assigned,
    variables_with_shape,
)
from grader.checks.graph import (  # noqa: E402
    api_of,
    call_inputs,
    expect_api,
    expect_api_named,
    expect_named_shapes,
    layers_of_kind,
    named_inputs,
    named_outputs,
    producer,
    single_output,
    skip_connections,
    structured_inputs,
    upstream,
)

__all__ += [
    "api_of", "assign_random", "assign_values", "call_inputs", "copy_weights", "depends_on", "every_matching",
    "expect_api",
    "expect_api_named",
    "expect_named_shapes", "layers_of_kind", "matched_variables", "named_inputs", "named_outputs",
    "producer", "single_output", "skip_connections", "structured_inputs", "temporarily_assigned",
    "upstream", "variables_with_shape",
]

# Exercises 8–10 and 12: the learner's own classes, observed through scenarios.
from grader.checks.scenario import (  # noqa: E402
    Facts,
    KerasActivation,
    Ref,
    Scenario,
    expect_own_code,
    own_code_steps,
    parameter_count,
    run_on_model_class,
    subclasses,
)

__all__ += ["Facts", "KerasActivation", "Ref", "Scenario", "expect_own_code", "own_code_steps", "parameter_count",
            "run_on_model_class", "subclasses"]
