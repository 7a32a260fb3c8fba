"""The nbgrader preprocessor that keeps hidden tests' code out of the feedback students receive.

nbgrader's own `ClearHiddenTests` removes the `### BEGIN HIDDEN TESTS` region from a cell's source,
but an error raised in that region still carries IPython's traceback, and the traceback quotes the
hidden lines (e.g. a NameError when a student rebinds `check`). `ClearHiddenTestCode` does both: it
clears the region and cuts such a traceback down to `ErrorName: message`. The checks' own failures
(`CheckFailed`) are left as they are: their "traceback" is already only the learner's message.

Used by the `nbgrader_config.py` that `course nbgrader export` writes, for `generate_feedback`.
"""

from __future__ import annotations

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import ClearHiddenTests

_OWN_FAILURE = "CheckFailed"  # grader.notebook.CheckFailed, not imported: nbgrader need not load TensorFlow


class ClearHiddenTestCode(ClearHiddenTests):
    """ClearHiddenTests that also strips the code from tracebacks of errors raised in hidden tests."""

    def preprocess_cell(self, cell: NotebookNode, resources: dict, cell_index: int) -> tuple[NotebookNode, dict]:
        if cell.cell_type == "code" and self.begin_test_delimeter in cell.source:
            for output in cell.get("outputs", []):
                if output.output_type == "error" and output.get("ename") != _OWN_FAILURE:
                    output.traceback = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return super().preprocess_cell(cell, resources, cell_index)
