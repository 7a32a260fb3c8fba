"""The whole similarity pass: submissions in, `similarity.csv` and `similarity.html` out.

    report = find_similarity([Path("submissions")])
    write_similarity(Path("gradebook"), report)

Nothing here reads or writes a grade; `course grade --similarity` runs it after the gradebook is written.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from grader.manifest import Exercise, load_course
from grader.similarity.boilerplate import boilerplate_texts
from grader.similarity.collect import collect
from grader.similarity.csv_report import write_similarity_csv
from grader.similarity.detect import SimilarityReport, SimilaritySettings, compare_class, load_settings
from grader.similarity.html_report import write_similarity_html


class DetectorMissing(RuntimeError):
    """copydetect is not installed; the message says how to install it."""


def find_similarity(paths: list[Path], exercises: list[Exercise] | None = None,
                    settings: SimilaritySettings | None = None) -> SimilarityReport:
    """Compare every student's answers under `paths`, exercise by exercise (all the course's by default).

    FileNotFoundError if a path does not exist; DetectorMissing if copydetect is not installed.
    """
    try:
        import copydetect  # noqa: F401
    except ImportError:
        raise DetectorMissing("similarity needs copydetect: pip install 'keras-course[instructor]'") from None
    exercises = list(exercises or load_course().exercises)
    scratch = Path(tempfile.mkdtemp(prefix="course-similarity-"))
    try:
        found = collect([Path(p) for p in paths], exercises, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return compare_class(found, exercises, settings or load_settings(), boilerplate_texts)


def write_similarity(out: Path, report: SimilarityReport) -> list[Path]:
    """Write OUT/similarity.csv and OUT/similarity.html; return their paths."""
    Path(out).mkdir(parents=True, exist_ok=True)
    return [write_similarity_csv(out, report), write_similarity_html(out, report)]
