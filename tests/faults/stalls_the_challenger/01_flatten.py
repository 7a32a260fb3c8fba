"""A flatten model whose graph stalls only on the grader's own inputs: a Lambda layer that, when every
value is a whole number and not all are zero (the grader's `arange` input), first counts to two billion
inside the graph. On the decoys its process is sent (random values) it answers at once, so the probes
pass; the challenger, which runs the committed graph on the real inputs, stalls on it.

Before each challenged part had its own recovery, the one stalled part cost every part challenged after
it (its exercise 8, a correct custom layer, lost its behaviour checks)."""
import math

import keras
import tensorflow as tf


def flat_length(input_shape):
    return math.prod(input_shape)


def _flatten_slowly(x, length):
    whole = tf.logical_and(tf.reduce_all(tf.equal(x, tf.round(x))), tf.reduce_any(tf.not_equal(x, 0.0)))
    count = tf.where(whole, tf.constant(2_000_000_000), tf.constant(0))
    counted = tf.while_loop(lambda i: i < count, lambda i: [i + 1], [tf.constant(0)])[0]
    return tf.reshape(x, (-1, length)) + tf.cast(counted * 0, x.dtype)


def build_flatten_model(input_shape):
    length = flat_length(input_shape)
    inputs = keras.Input(shape=tuple(input_shape))
    return keras.Model(inputs, keras.layers.Lambda(lambda x: _flatten_slowly(x, length))(inputs))
