"""The random inputs and weights the checks give a learner's code: reproducible for the learner, secret
in batch grading.

Every check draws its arrays from `generator(seed)`, never from `np.random.default_rng` itself
(tests/test_check_inputs.py holds every check module to that).

- `course check`, the nbgrader notebooks and the tests: `generator(seed)` is `np.random.default_rng(seed)`,
  so a learner sees the same inputs, numbers and messages on every run.
- Batch grading (`course grade`): the trusted processes that run the checks (the discovery of the probes
  and the verifier) draw inside `drawn_with(key)`, where `key` is new for every grading run
  (grader.grade.grade) and kept only in the grader's memory and its trusted processes. Each generator
  is then seeded with HMAC-SHA256(key, check module + seed): a submission that reads the checks' seeds learns nothing
  of the arrays it is judged on, so a committed graph cannot hold precomputed answers
  (grader.grade.challenge), and a hidden check's inputs cannot be worked out from its public source
  either. A new key per run, not per gradebook: what one run's feedback says of the arrays (a failing
  check quotes values) is of no use to a resubmission, which the next run grades on others. A check
  judges behaviour on any arrays alike, so the score does not depend on the key; the numbers its
  messages quote do.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import sys
from collections.abc import Iterator

import numpy as np

_key: bytes | None = None


def generator(seed: int) -> np.random.Generator:
    """The generator of a check's arrays: `np.random.default_rng(seed)`, or inside `drawn_with(key)` one
    seeded with HMAC-SHA256(key, check module + seed). The check module (the public or hidden checks of one
    exercise that asked, directly or through a helper) gives each exercise streams of its own: a seed one
    exercise uses for arrays it sends as they are (exercise 2's inputs) draws nothing another uses for
    arrays it keeps secret (exercise 8's weights)."""
    if _key is None:
        return np.random.default_rng(seed)
    digest = hmac.new(_key, f"{_asking_check_module()} {seed}".encode(), hashlib.sha256).digest()
    return np.random.default_rng(int.from_bytes(digest, "big"))


CHECK_PACKAGES = ("grader.checks_public.", "grader.checks_hidden.")


def _asking_check_module() -> str:
    """The check module on the call stack nearest to the caller of `generator` ("" if none)."""
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if name.startswith(CHECK_PACKAGES):
            return name
        frame = frame.f_back
    return ""


@contextlib.contextmanager
def drawn_with(key: bytes | None) -> Iterator[None]:
    """Inside the block, every `generator` draws with the secret `key` (None: the public seeds)."""
    global _key
    previous, _key = _key, key
    try:
        yield
    finally:
        _key = previous


def probability_rows(rng: np.random.Generator, n: int) -> np.ndarray:
    """`n` rows of 10 probabilities, each at least 0.0018: what a softmax output gives. Keras' sparse and
    categorical cross-entropies, and one written by hand as minus the log of the right class's
    probability, agree on them (on scores that do not sum to 1 each clips or normalises in its own way, or
    not at all, and a correct loss of probabilities was read as no cross-entropy)."""
    scores = rng.uniform(0.05, 3.0, size=(n, 10))
    return (scores / scores.sum(axis=1, keepdims=True)).astype("float32")
