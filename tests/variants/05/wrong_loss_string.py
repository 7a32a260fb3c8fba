"""expect: treats the model's outputs as probabilities
The loss as a string: "sparse_categorical_crossentropy" cannot say from_logits=True.
"""


def compile_model(model):
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])


def training_recipe():
    return {"epochs": 10, "batch_size": 32}
