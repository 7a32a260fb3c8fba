"""A capstone model of 650 parameters that is very expensive to run: each image is upsampled 32 times
(896 × 896) before a convolution, so one epoch of training takes about 5 minutes of CPU time, far past
the exercise's time budget, and so does the validation on half of the images that `fit` runs at the
end of even a stopped epoch. A budget checked only at the end of an epoch, and one time limit for the
whole verification, let it run until the grader stopped every exercise of the student at once.

The model is honest (it is simply too slow): it earns what `course check` gives it, every check but the
accuracy one, and its exercise 4 (correct) keeps its points."""
import keras
from keras import layers


def build_model():
    return keras.Sequential([keras.Input(shape=(28, 28)), layers.Reshape((28, 28, 1)), layers.UpSampling2D(32),
                             layers.Conv2D(32, 3, padding="same", activation="relu"),
                             layers.GlobalAveragePooling2D(), layers.Dense(10)])


def compile_model(model):
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])


def training_recipe():
    return {"epochs": 1, "batch_size": 2, "validation_split": 0.5}  # fit validates even a stopped epoch
