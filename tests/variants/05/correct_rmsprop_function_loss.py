"""An RMSprop object, a plain loss function that passes from_logits=True, a metric object.
styles: other-optimizer
"""
import keras


def logits_loss(y_true, y_pred):
    return keras.losses.sparse_categorical_crossentropy(y_true, y_pred, from_logits=True)


def compile_model(model: keras.Model) -> None:
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=0.001),
        loss=logits_loss,
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="acc")],
    )


def training_recipe() -> dict:
    return dict(epochs=12, batch_size=64, shuffle=True)
