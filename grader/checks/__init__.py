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
