"""Signed student records: resume trusts only what this grader wrote.

Each record in `OUT/students/` carries `signature`, an HMAC-SHA256 of its content under a key kept
outside the gradebook: the file `$COURSE_RECORD_KEY_FILE`, by default
`~/.local/state/keras-course/record-key` (32 random bytes, created mode 0600 on first use; its folder
is hidden from every submission). A record that does not verify (edited, forged, written by anything
else, or signed under another key) is not trusted: a run grades that student again, and the gradebook
leaves it out and names it under `unverified_records`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from pathlib import Path
from typing import Any

from grader.grade.secret_file import made_once

KEY_ENV = "COURSE_RECORD_KEY_FILE"
SIGNATURE = "signature"


def key_file() -> Path:
    """Where the signing key lives (see the module docstring)."""
    configured = os.environ.get(KEY_ENV)
    return Path(configured) if configured else Path.home() / ".local" / "state" / "keras-course" / "record-key"


def _key() -> bytes:
    return made_once(key_file())


def _digest(record: dict[str, Any], key: bytes) -> str:
    content = {k: v for k, v in record.items() if k != SIGNATURE}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hmac.new(key, canonical.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def signed(record: dict[str, Any]) -> dict[str, Any]:
    """`record` as it will read back from JSON, with its signature."""
    plain = json.loads(json.dumps({k: v for k, v in record.items() if k != SIGNATURE}, default=str))
    return {**plain, SIGNATURE: _digest(plain, _key())}


def verified(record: Any) -> bool:
    """Whether `record` (as read from its file) carries a valid signature under this machine's key."""
    if not isinstance(record, dict) or not isinstance(record.get(SIGNATURE), str):
        return False
    return hmac.compare_digest(record[SIGNATURE], _digest(record, _key()))
