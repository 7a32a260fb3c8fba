"""tf.keras; heads returned as a list; residual written Add()([h, x]) with a ReLU layer; functional add().
styles: tf-keras, separate-activation
"""
import tensorflow as tf

L = tf.keras.layers


def build_residual_mlp():
    inp = tf.keras.Input((784,))
    stem = L.Dense(64, activation="relu", name="stem")(inp)
    branch = L.Dense(64, activation="relu")(stem)
    branch = L.Dense(64)(branch)
    out = L.ReLU()(L.add([branch, stem]))
    return tf.keras.Model(inp, L.Dense(10)(out))


def build_two_headed_model():
    image = tf.keras.Input((28, 28), name="image")
    trunk = L.Dense(64, activation="relu")(L.Flatten()(image))
    return tf.keras.Model(image, [L.Dense(10, name="digit")(trunk), L.Dense(1, name="parity")(trunk)])


def build_siamese_model():
    left = tf.keras.Input((28, 28), name="left")
    right = tf.keras.Input((28, 28), name="right")
    flat = L.Flatten()
    enc = L.Dense(32, activation="relu")
    merged = L.Concatenate()([enc(flat(left)), enc(flat(right))])
    return tf.keras.Model(inputs=[left, right], outputs=L.Dense(1, name="same")(merged))
