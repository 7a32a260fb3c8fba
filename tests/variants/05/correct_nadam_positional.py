"""Nadam with a higher rate, optimizer and loss passed positionally, a numpy-integer epoch count, and the
batch size left to fit's default (32).
styles: other-optimizer
"""
import numpy as np
from keras import losses, optimizers


def compile_model(model):
    model.compile(optimizers.Nadam(2e-3), losses.SparseCategoricalCrossentropy(True), metrics=["accuracy"])


def training_recipe():
    return {"epochs": np.int64(10)}
