"""The checks library: small, Keras-3-safe expectations with messages in the learner's terms."""

from grader.checks.expect import (
    expect_array,
    expect_close,
    expect_equal_shape,
    expect_integer,
    expect_param_count,
)
from grader.checks.failure import CheckFailure, NotImplementedYet, fmt_int
from grader.checks.introspect import (
    activation_name,
    count_params,
    ensure_built,
    expect_model,
    fmt_shape,
    layer_output_shapes,
    layers_of,
    model_output_shape,
    predict_numpy,
    variables_of,
)
from grader.checks.submission import Submission, load_submission

__all__ = [
    "CheckFailure", "NotImplementedYet", "Submission", "activation_name", "count_params",
    "ensure_built", "expect_array", "expect_close", "expect_equal_shape", "expect_integer",
    "expect_model", "expect_param_count", "fmt_int", "fmt_shape", "layer_output_shapes",
    "layers_of", "load_submission", "model_output_shape", "predict_numpy", "variables_of",
]

from grader.checks.equivalence import (  # noqa: E402 - exercises 6–11
    assign_random,
    copy_weights,
    depends_on,
    matched_variables,
    temporarily_assigned,
    variable_shapes,
    variables_with_shape,
)
from grader.checks.graph import (  # noqa: E402
    api_of,
    call_inputs,
    expect_api,
    expect_named_shapes,
    layers_of_kind,
    named_inputs,
    named_outputs,
    producer,
    skip_connections,
    upstream,
)

__all__ += [
    "api_of", "assign_random", "call_inputs", "copy_weights", "depends_on", "expect_api",
    "expect_named_shapes", "layers_of_kind", "matched_variables", "named_inputs", "named_outputs",
    "producer", "skip_connections", "temporarily_assigned", "upstream", "variable_shapes",
    "variables_with_shape",
]

from grader.checks.graph import single_output, structured_inputs  # noqa: E402

__all__ += ["single_output", "structured_inputs"]
