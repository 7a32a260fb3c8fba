"""The checks' random arrays (grader.checks.inputs): the public seeds in `course check`, a secret key's
in batch grading, and no check module that draws around them."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np

from grader.checks.inputs import drawn_with, generator
from grader.manifest import PACKAGE_DIR


def draws_around_the_generator(source: str) -> list[str]:
    """Where `source` draws random numbers other than through grader.checks.inputs.generator: any use of
    numpy's or Python's `random` module (line numbers and what is used)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "random" and isinstance(node.value, ast.Name):
            found.append(f"line {node.lineno}: {node.value.id}.random")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
            if any(n and (n == "random" or n.endswith(".random") or n.startswith("numpy.random")) for n in names):
                found.append(f"line {node.lineno}: imports {', '.join(n for n in names if n)}")
    return found


# inputs.py is the generator; training_cache.py reads the random modules' state into a training run's
# key and draws nothing
NOT_DRAWING = {"inputs.py", "training_cache.py"}


def check_modules(package: Path = PACKAGE_DIR) -> list[Path]:
    """Every module whose code draws a check's arrays: the public and hidden checks and their helpers."""
    helpers = [p for p in sorted((package / "checks").glob("*.py")) if p.name not in NOT_DRAWING]
    return [*sorted((package / "checks_public").glob("*.py")), *sorted((package / "checks_hidden").glob("*.py")),
            *helpers]


def test_every_check_draws_its_arrays_through_the_generator():
    modules = check_modules()
    assert len(modules) > 30  # the scan sees the checks (not an empty glob)
    offenders = {p.relative_to(PACKAGE_DIR).as_posix(): found
                 for p in modules if (found := draws_around_the_generator(p.read_text()))}
    assert offenders == {}, ("draw from grader.checks.inputs.generator(seed), never numpy's random module: in "
                             "batch grading the arrays must come from the run's secret key", offenders)
    assert draws_around_the_generator("import numpy as np\nx = np.random.default_rng(1)") == ["line 2: np.random"]


def _drawn_in(module, seed: int) -> np.ndarray:
    """What `generator(seed)` draws when called from code of `module` (a check module)."""
    namespace = {"__name__": module.__name__, "generator": generator}
    exec(f"def draw():\n    return generator({seed}).normal(size=8)", namespace)  # noqa: S102 - the test's own code
    return namespace["draw"]()


def test_the_public_seeds_are_numpy_s_own_and_a_key_gives_other_reproducible_arrays():
    public = generator(81).normal(size=(4, 6))
    assert np.array_equal(public, np.random.default_rng(81).normal(size=(4, 6)))  # course check: as the seed says
    key = b"\x01" * 32
    with drawn_with(key):
        secret = generator(81).normal(size=(4, 6))
        assert np.array_equal(secret, generator(81).normal(size=(4, 6)))  # discovery and verification alike
        assert not np.array_equal(generator(82).normal(size=(4, 6)), secret)  # each seed its own stream
        with drawn_with(b"\x02" * 32):
            assert not np.array_equal(generator(81).normal(size=(4, 6)), secret)  # another run, others
    assert not np.array_equal(secret, public)
    with drawn_with(key):  # the same seed in two exercises' checks: two streams
        from grader.checks_public import test_02_dense, test_08_custom_layer

        assert not np.array_equal(_drawn_in(test_02_dense, 1), _drawn_in(test_08_custom_layer, 1))
        assert np.array_equal(_drawn_in(test_08_custom_layer, 1), _drawn_in(test_08_custom_layer, 1))
    assert np.array_equal(generator(81).normal(size=(4, 6)), public)  # the key is gone after the block
