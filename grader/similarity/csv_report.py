"""`similarity.csv`: every compared pair, one row per exercise and pair of students.

Columns: `exercise` (as the gradebook names it, `04_sequential`), `student_a`, `student_b` (a < b),
`score` (0-1, per exercise: the larger of the two shares), `flagged` (`true`/`false`), `share_a` and
`share_b` (the fraction of each one's own code found in the other's), `matched` (characters of a's
normalised code that match). Rows go by exercise, highest score first. A cell a spreadsheet would
read as a formula starts with `'`, as in grades.csv.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from grader.export.grades_csv import csv_cell
from grader.results import write_text_atomic
from grader.similarity.detect import SimilarityReport

CSV_NAME = "similarity.csv"
COLUMNS = ["exercise", "student_a", "student_b", "score", "flagged", "share_a", "share_b", "matched"]


def write_similarity_csv(out: Path, report: SimilarityReport) -> Path:
    """Write OUT/similarity.csv (header only when there was no pair to compare); return its path."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for pair in report.pairs:
        writer.writerow([csv_cell(str(cell)) for cell in (
            report.labels[pair.exercise_id], pair.student_a, pair.student_b, f"{pair.score:.4f}",
            "true" if pair.flagged else "false", f"{pair.share_a:.4f}", f"{pair.share_b:.4f}", pair.matched)])
    path = Path(out) / CSV_NAME
    write_text_atomic(path, buffer.getvalue())
    return path
