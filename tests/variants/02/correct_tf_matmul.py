"""TensorFlow ops: tf.matmul broadcasts the 2-D kernel over any leading axes; tf.nn.relu.
styles: tf-keras, numpy-alternative
"""
import tensorflow as tf


def dense_forward(x, kernel, bias, activation=None):
    x = tf.convert_to_tensor(x, dtype=tf.float64)
    y = tf.matmul(x, tf.convert_to_tensor(kernel, dtype=tf.float64))
    if bias is not None:
        y = tf.nn.bias_add(y, tf.convert_to_tensor(bias, dtype=tf.float64))
    if activation == "relu":
        y = tf.nn.relu(y)
    return y.numpy()


def dense_param_count(n_inputs, units, use_bias=True):
    return (n_inputs + int(bool(use_bias))) * units
