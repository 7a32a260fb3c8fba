"""Crashes the interpreter."""
import ctypes


def build_model():
    return ctypes.string_at(0)
