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
    # YOUR CODE HERE
    raise NotImplementedError


def dense_param_count(n_inputs: int, units: int, use_bias: bool = True) -> int:
    """Number of trainable parameters of Dense(units) on inputs with `n_inputs` features."""
    # YOUR CODE HERE
    raise NotImplementedError
