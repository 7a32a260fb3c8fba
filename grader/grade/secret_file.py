"""A secret that lives in a file, made on first use: the record-signing key, a gradebook's split key.

Runs that start at once and both find no file must end up with one and the same whole secret: the
secret is written to a draft of its own, then linked into place. A link never replaces a file, so the
first run's secret stays, and no run ever reads one half written.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def made_once(path: Path, size: int = 32) -> bytes:
    """The secret in `path`; if there is none yet, `size` random bytes are put there first (mode 0600, its
    folder made mode 0700)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(size))
        try:
            os.link(draft, path)
        except FileExistsError:  # another run made it first: its secret is the secret
            pass
        except OSError:  # a file system without hard links: a rename (which would replace a secret another
            if not path.exists():  # run made in the same instant, the one race left there) is still whole
                os.rename(draft, path)
    finally:
        draft.unlink(missing_ok=True)
    return path.read_bytes()
