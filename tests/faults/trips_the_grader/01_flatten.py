"""Returns, for exercise 1, an object that claims to be an array and fails when the grader converts it:
the grader's own code fails in the student's process. That costs exercise 1; exercise 4 (correct)
must still be graded, not reported as "exited early"."""
import keras


class NotQuiteAnArray:
    def __array__(self, *args, **kwargs):
        raise ZeroDivisionError("no array here")


def flat_length(input_shape):
    return NotQuiteAnArray()


def build_flatten_model(input_shape):
    return keras.Sequential([keras.Input(shape=input_shape), keras.layers.Flatten()])
