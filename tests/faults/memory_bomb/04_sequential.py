"""Allocates without bound."""


def build_model():
    hoard = []
    while True:
        hoard.append(bytearray(256 * 1024 * 1024))
