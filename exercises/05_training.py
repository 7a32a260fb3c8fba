"""Exercise 5 — Compile and fit.

Lesson: "Training and evaluation". Check your work with `course check 5`.

The grader builds the lesson-4 model (logits out), calls `compile_model(model)`, then trains it with
`model.fit(x_train, y_train, **training_recipe())` and measures accuracy on held-out images.
"""

import keras


def compile_model(model: keras.Model) -> None:
    """Compile `model` (which outputs logits) with an optimizer, a loss and an accuracy metric."""
    # YOUR CODE HERE
    raise NotImplementedError


def training_recipe() -> dict:
    """Keyword arguments for model.fit: {"epochs": int, "batch_size": int}."""
    # YOUR CODE HERE
    raise NotImplementedError
