"""keras.ops all the way (returns a backend tensor); the count from the kernel and bias shapes."""
import math

import keras


def dense_forward(x, kernel, bias, activation=None):
    y = keras.ops.matmul(keras.ops.convert_to_tensor(x), keras.ops.convert_to_tensor(kernel))
    if bias is not None:
        y = keras.ops.add(y, bias)
    if activation is not None:
        y = keras.activations.get(activation)(y)
    return y


def dense_param_count(n_inputs: int, units: int, use_bias: bool = True) -> int:
    shapes = [(n_inputs, units)] + ([(units,)] if use_bias else [])
    return sum(math.prod(s) for s in shapes)
