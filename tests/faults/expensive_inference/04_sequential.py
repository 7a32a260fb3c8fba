"""A model that is expensive to run but not to build: each 28×28 image is upsampled to 56×56 and goes
through 150 convolutions of 64 channels (about 23 GFLOP per image, 5.5 million parameters). Its own
process only builds it; the grader's verifier runs it on the checks' images, which no training budget
covers: the verifier's per-exercise CPU and wall-clock limits must stop it (tests/test_batch.py lowers
them in a course clone, where this model costs several times the limit)."""
import keras
from keras import layers


def build_model():
    inputs = keras.Input(shape=(28, 28))
    x = layers.Reshape((28, 28, 1))(inputs)
    x = layers.UpSampling2D(2)(x)
    for _ in range(150):
        x = layers.Conv2D(64, 3, padding="same", use_bias=False)(x)
    x = layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, layers.Dense(10)(x))
