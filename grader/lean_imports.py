"""Import costs the grader does not need to pay.

`leave_out_iri_grammar()` runs from `grader/__init__.py`, before anything imports nbformat: nbformat imports
jsonschema, whose format checkers import `rfc3987_syntax` when it is installed (jupyter-events asks for it),
and that module compiles a Lark grammar of IRIs at import: ≈3 s of CPU in every process that reads a
notebook (`course notebooks`, `course check` on a notebook, the notebook exports, the site's notebook pages).
Nothing here validates an IRI (a notebook's schema has no `iri` format), and jsonschema treats the module as
absent when it cannot be imported: its `iri` checker is then not registered, and that is all.
"""

from __future__ import annotations

import sys

IRI_GRAMMAR_MODULE = "rfc3987_syntax"


def leave_out_iri_grammar() -> None:
    """Make `import rfc3987_syntax` fail in this process (unless it was imported already)."""
    sys.modules.setdefault(IRI_GRAMMAR_MODULE, None)
