"""Crashes the interpreter in the first exercise its process answers (exercise 1, played before
exercise 4): the reference exercise 4 beside it (tests/test_batch.py, WITH_REFERENCE_04) must still be
answered, by a fresh process, and earn its full points."""
import ctypes
import math


def flat_length(input_shape):
    return math.prod(input_shape)


def build_flatten_model(input_shape):
    return ctypes.string_at(0)
