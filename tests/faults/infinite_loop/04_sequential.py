"""A build_model that never returns."""


def build_model():
    while True:
        pass
