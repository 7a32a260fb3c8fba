"""A flatten model whose graph looks for the grader's files, but only in the challenger: a Lambda layer
that, on the grader's own input (every value a whole number, not all zero: never the decoys its
process is sent), counts the files `tf.io.matching_files` finds at PATTERNS and adds 1,000 × that count
to every output. The challenger runs the committed graph on the real inputs with no Python at all, so
the graph's own file operations are the only way it could look: when the grader's secret paths are
hidden from it, the count is 0 and the answer is right; one visible file and the challenged checks fail.

PATTERNS is written by the test (tests/test_batch.py, make_class): the course's solutions and hidden
checks, the class folder and the gradebook folders. Its control (`probes_the_challenger_control`) is
the same file looking for a file the challenger must see (the interpreter's own `os.py`)."""
import math

import keras
import tensorflow as tf

PATTERNS = ["/nowhere/*"]  # replaced by the test


def flat_length(input_shape):
    return math.prod(input_shape)


def _flatten_and_look(x, length):
    whole = tf.logical_and(tf.reduce_all(tf.equal(x, tf.round(x))), tf.reduce_any(tf.not_equal(x, 0.0)))
    found = tf.add_n([tf.size(tf.io.matching_files(pattern)) for pattern in PATTERNS])
    seen = tf.where(whole, found, tf.constant(0))
    return tf.reshape(x, (-1, length)) + 1000.0 * tf.cast(seen, x.dtype)


def build_flatten_model(input_shape):
    length = flat_length(input_shape)
    inputs = keras.Input(shape=tuple(input_shape))
    return keras.Model(inputs, keras.layers.Lambda(lambda x: _flatten_and_look(x, length))(inputs))
