"""keras.ops inside the graph: relu and concatenate as operations, not layers; inputs passed as a dict.
styles: operator-join, separate-activation
"""
import keras
from keras import layers, ops


def build_functional_model():
    image = keras.Input((28, 28))
    h = layers.Dense(128)(layers.Flatten()(image))
    return keras.Model(image, layers.Dense(10)(ops.relu(h)))

def build_two_input_model():
    image = keras.Input(shape=(28, 28), name="image")
    extra = keras.Input(shape=(8,), name="extra")
    a = layers.Dense(64, activation="relu")(layers.Reshape((-1,))(image))
    b = ops.relu(layers.Dense(16)(extra))
    joined = ops.concatenate([a, b], axis=-1)
    return keras.Model(inputs={"image": image, "extra": extra}, outputs=layers.Dense(10, name="logits")(joined))
