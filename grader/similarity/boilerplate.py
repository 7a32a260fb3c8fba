"""The text of an exercise that every student starts from or was shown: never evidence of copying.

For exercise NN that is its stub (`exercises/NN_slug.py`, the file each student edits) and every
Python code block of its lesson page (`docs/<lesson>`), so two students who both kept the stub's
docstring, or both wrote the lesson's model as the lesson wrote it, share nothing that counts.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from grader.manifest import PACKAGE_DIR, Exercise

ROOT = PACKAGE_DIR.parent
# a fenced block at any indentation (content tabs and admonitions indent theirs): ```python or ```py
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?:python|py|pycon)\b[^\n]*\n"
                    r"(?P<body>.*?)^(?P=indent)(?P=fence)[ \t]*$", re.MULTILINE | re.DOTALL)


def lesson_code_blocks(markdown: str) -> list[str]:
    """The Python code blocks of a lesson page, dedented, in page order (annotations like `# (1)!` kept)."""
    return [textwrap.dedent(match["body"]) for match in _FENCE.finditer(markdown)]


def boilerplate_texts(exercise: Exercise, root: Path = ROOT) -> list[str]:
    """The exercise's stub and its lesson's code blocks; a file that is not there contributes nothing."""
    texts = []
    stub = root / "exercises" / exercise.filename
    if stub.is_file():
        texts.append(stub.read_text(encoding="utf-8"))
    lesson = root / "docs" / exercise.lesson
    if lesson.is_file():
        texts.extend(lesson_code_blocks(lesson.read_text(encoding="utf-8")))
    return texts
