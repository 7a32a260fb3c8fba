"""Starts 300 sleeping processes (each one small, so no memory limit of a single process notices)."""
import os
import time


def build_model():
    for _ in range(300):
        try:
            if os.fork() == 0:
                time.sleep(300)
                os._exit(0)
        except OSError:
            break
    time.sleep(300)
