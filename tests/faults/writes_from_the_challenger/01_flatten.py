"""A flatten model whose graph writes the grader's inputs out of the challenger: a Lambda layer that,
on the grader's own input (every value a whole number, not all zero: never the decoys its process is
sent), writes the input's values with `tf.io.WriteFile` to each of TARGETS — places outside the
sandbox where a later run, or a classmate, could read them. The challenger's file system is read-only
but for its private scratch, so each write fails, the call fails, and the challenged checks fail with
it; nothing may appear at TARGETS.

TARGETS is written by the test (tests/test_batch.py, make_class): the course folder, the class folder,
and the machine's shared temporary folders."""
import math

import keras
import tensorflow as tf

TARGETS = ["/nowhere/leak"]  # replaced by the test


def flat_length(input_shape):
    return math.prod(input_shape)


def _write(x):
    text = tf.strings.reduce_join(tf.strings.as_string(tf.reshape(x, (-1,))), separator=" ")
    writes = [tf.io.write_file(target, text) for target in TARGETS]
    with tf.control_dependencies(writes):
        return tf.identity(tf.constant(0))


def _flatten_and_write(x, length):
    whole = tf.logical_and(tf.reduce_all(tf.equal(x, tf.round(x))), tf.reduce_any(tf.not_equal(x, 0.0)))
    written = tf.cond(whole, lambda: _write(x), lambda: tf.constant(0))
    return tf.reshape(x, (-1, length)) + tf.cast(written, x.dtype)


def build_flatten_model(input_shape):
    length = flat_length(input_shape)
    inputs = keras.Input(shape=tuple(input_shape))
    return keras.Model(inputs, keras.layers.Lambda(lambda x: _flatten_and_write(x, length))(inputs))
