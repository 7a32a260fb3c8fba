"""Spreads memory over children: each of four children fills 200 MB, under the limit of one process;
together they hold 800 MB (graded with `--memory-mb 512`, the limit of the whole submission)."""
import os
import time

import numpy as np


def build_model():
    for _ in range(4):
        if os.fork() == 0:
            block = np.ones(25 * 1024 * 1024)  # 200 MB, every page touched
            time.sleep(300)
            os._exit(int(block[0]))
    time.sleep(300)
