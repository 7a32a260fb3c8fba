"""Shares a training result with an accomplice. Its optimizer is Lamb at a learning rate of 0.05, which
diverges, named "Lamb"; the accomplice's is Adamax, named "Adamax", with the same settings otherwise
(the test writes that file). The training cache's key used to replace every string equal to a layer's
or the optimizer's name by its place, class names included, so both optimizers keyed alike and this
one reused the accomplice's accuracy (9/9 instead of the 5/9 it earns alone)."""
import keras


def compile_model(model):
    model.compile(
        optimizer=keras.optimizers.Lamb(learning_rate=0.05, name="Lamb"),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )


def training_recipe():
    return {"epochs": 10, "batch_size": 32}
