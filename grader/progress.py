"""Progress of long checks (training), reported to whoever is listening.

The checks call `report(label, done, total)`; by default nobody listens (plain pytest, batch
grading). The learner CLI installs a listener that draws a progress bar.
"""

from __future__ import annotations

from collections.abc import Callable

Listener = Callable[[str, int, int], None]
_listener: Listener | None = None


def set_listener(listener: Listener | None) -> None:
    global _listener
    _listener = listener


def report(label: str, done: int, total: int) -> None:
    if _listener is not None:
        _listener(label, done, total)
