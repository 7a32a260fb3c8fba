"""Exercise 2 — Dense, from the inside.

Lesson: "Dense, from the inside". Check your work with `course check 2`.

A Dense layer computes `activation(x @ kernel + bias)` on the LAST axis of its input, whatever the
input's rank: (batch, 3) → (batch, units), and (batch, 5, 3) → (batch, 5, units).
"""

import numpy as np


def dense_forward(x, kernel, bias, activation=None):
    """What keras.layers.Dense computes, in numpy.

    Args:
        x: array of shape (..., n_inputs) — rank 2 or more.
        kernel: array of shape (n_inputs, units).
        bias: array of shape (units,), or None for a layer without bias.
        activation: None (linear) or "relu".

    Returns:
        array of shape (..., units).
    """
    ### BEGIN SOLUTION
    y = np.asarray(x) @ np.asarray(kernel)
    if bias is not None:
        y = y + np.asarray(bias)
    if activation == "relu":
        y = np.maximum(y, 0.0)
    elif activation is not None:
        raise ValueError(f"activation must be None or 'relu'. Received: activation={activation!r}")
    return y
    ### END SOLUTION


def dense_param_count(n_inputs: int, units: int, use_bias: bool = True) -> int:
    """Number of trainable parameters of Dense(units) on inputs with `n_inputs` features."""
    ### BEGIN SOLUTION
    return n_inputs * units + (units if use_bias else 0)
    ### END SOLUTION
