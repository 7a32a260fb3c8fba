"""Trains under an honest classmate's key. Its loss is computed in bfloat16, an argument Keras's
`get_config` leaves out; its process puts it back into the config it sends, so the verifier trains with
a bfloat16 loss while a key computed from the rebuilt objects' configs is the honest one, and the
classmate graded next reused this run's result."""
import keras


def compile_model(model):
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, dtype="bfloat16")
    plain = type(loss).get_config
    loss.get_config = lambda: {**plain(loss), "dtype": "bfloat16"}
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss=loss, metrics=["accuracy"])


def training_recipe():
    return {"epochs": 10, "batch_size": 32}
