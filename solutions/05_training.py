"""Exercise 5 — Compile and fit.

Lesson: "Training and evaluation". Check your work with `course check 5`.

The grader builds the lesson-4 model (logits out), calls `compile_model(model)`, then trains it with
`model.fit(x_train, y_train, **training_recipe())` and measures accuracy on held-out images.
"""

import keras


def compile_model(model: keras.Model) -> None:
    """Compile `model` (which outputs logits) with an optimizer, a loss and an accuracy metric."""
    ### BEGIN SOLUTION
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    ### END SOLUTION


def training_recipe() -> dict:
    """Keyword arguments for model.fit: {"epochs": int, "batch_size": int}."""
    ### BEGIN SOLUTION
    return {"epochs": 10, "batch_size": 32}
    ### END SOLUTION
