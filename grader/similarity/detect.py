"""Pairwise similarity of the students' answers to one exercise, with copydetect (winnowing, as MOSS).

copydetect tokenises each answer with Pygments and normalises it — every variable, attribute and
function name becomes one letter, every string another, comments and whitespace vanish — then takes
k-gram fingerprints of what is left. So renaming variables changes nothing, and reordering functions
only breaks the few k-grams that span a boundary. Fingerprints of the exercise's boilerplate (its
stub and its lesson's code, see grader.similarity.boilerplate) are removed from every answer first
(copydetect's `boilerplate=`), and so are the fingerprints made of nothing but boilerplate lines as
one student arranged them (the seam between the stub's docstring and a lesson block pasted under
it): two students who only kept the stub, or only pasted the lesson's code, share nothing.

For a pair (a, b), `share_a` is the fraction of a's own fingerprinted code (boilerplate removed)
that is also in b, and `share_b` the converse (copydetect's two similarities). The pair's `score`
is the larger of the two: one student copying another's whole answer into a longer file still
shows. A pair is flagged when `score >= threshold` AND at least `min_matched` characters of
normalised code match, so two answers that share only a line or two are never flagged however high
their fraction. The numbers live in grader/course.toml's `[similarity]` table, with the measurement
that chose them.

copydetect's window is 1 (its default, guarantee = noise threshold): every k-gram is a fingerprint,
so the result does not depend on the process's string-hash seed.
"""

from __future__ import annotations

import io
import itertools
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np

from grader.manifest import MANIFEST_PATH, Exercise
from grader.similarity.collect import ClassCode, NotCompared, StudentCode


@dataclass(frozen=True)
class SimilaritySettings:
    """How answers are fingerprinted and when a pair is flagged (grader/course.toml, `[similarity]`)."""

    threshold: float  # a pair's score (0-1) at or above which it is flagged
    min_matched: int  # ... and at least this many characters of normalised code must match
    k: int  # copydetect's noise threshold: the length of a fingerprinted k-gram of normalised code

    def __post_init__(self) -> None:
        if not 0 < self.threshold <= 1:
            raise ValueError(f"similarity threshold must be in (0, 1]. Received: threshold={self.threshold!r}")
        if self.min_matched < 0 or self.k < 1:
            raise ValueError(f"similarity min_matched must be >= 0 and k >= 1. Received: min_matched="
                             f"{self.min_matched!r}, k={self.k!r}")


@cache
def load_settings() -> SimilaritySettings:
    """The `[similarity]` table of the course manifest."""
    table = tomllib.loads(MANIFEST_PATH.read_text(encoding="utf-8"))["similarity"]
    return SimilaritySettings(threshold=float(table["threshold"]), min_matched=int(table["min_matched"]),
                              k=int(table["k"]))


@dataclass(frozen=True)
class Region:
    """A matched stretch of an answer's original text: characters `start` to `end` (end excluded)."""

    start: int
    end: int


@dataclass(frozen=True)
class PairScore:
    """How much of two students' answers to one exercise match (see the module docstring)."""

    exercise_id: str
    student_a: str
    student_b: str
    score: float
    share_a: float
    share_b: float
    matched: int  # characters of a's normalised code that match b's
    flagged: bool
    regions_a: tuple[Region, ...] = ()
    regions_b: tuple[Region, ...] = ()


def _standalone(line: str) -> bool:
    """Whether blanking `line` cannot change how the rest of the file tokenises (no string opens or closes)."""
    return '"""' not in line and "'''" not in line and line.count('"') % 2 == 0 and line.count("'") % 2 == 0


def boilerplate_lines(texts: list[str]) -> frozenset[str]:
    """Every line of the boilerplate, stripped."""
    return frozenset(s for text in texts for line in text.splitlines() if (s := line.strip()))


def only_boilerplate_lines(text: str, lines: frozenset[str]) -> str:
    """`text` with its own lines (those not in `lines`) emptied, except lines that open or close a string
    (emptying those would change how the rest tokenises).

    Its fingerprints are the k-grams made of nothing but boilerplate as this student arranged it: the
    seams between two pieces of boilerplate put side by side (the stub's docstring, then the lesson's
    model), which the boilerplate's own fingerprints do not contain.
    """
    return "\n".join(line for line in text.splitlines() if line.strip() in lines or not _standalone(line))


def _fingerprint(name: str, text: str, k: int, boilerplate: np.ndarray | None):
    from copydetect import CodeFingerprint

    return CodeFingerprint(name, k, 1, boilerplate=boilerplate, language="python", fp=io.StringIO(text))


def boilerplate_hashes(texts: list[str], k: int) -> np.ndarray:
    """copydetect's fingerprints of the boilerplate texts, as the array its `boilerplate=` takes."""
    hashes = [h for text in texts for h in _fingerprint("boilerplate.py", text, k, None).hashes]
    return np.unique(np.array(hashes, dtype=np.int64))


def _with_seams(ignored: np.ndarray, text: str, lines: frozenset[str], k: int) -> np.ndarray:
    """The boilerplate fingerprints plus those of this answer's boilerplate seams (see only_boilerplate_lines)."""
    view = only_boilerplate_lines(text, lines)
    if len(view) < k:
        return ignored
    seams = np.array(list(_fingerprint("seams.py", view, k, None).hashes), dtype=np.int64)
    return np.union1d(ignored, seams)


def _regions(slices: np.ndarray, text: str, lines: frozenset[str]) -> tuple[Region, ...]:
    """copydetect's matched slices of `text` as Regions, less the boilerplate lines they run across
    (a slice spans everything between two matched k-grams; the stub's docstring in between is not a match)."""
    if slices.size == 0:
        return ()
    cuts, position = [], 0
    for line in text.splitlines(keepends=True):
        if line.strip() in lines or not line.strip():
            cuts.append((position, position + len(line)))
        position += len(line)
    regions = []
    for start, end in zip(slices[0].tolist(), slices[1].tolist(), strict=True):
        start, end = max(0, start), min(len(text), end)
        for cut_start, cut_end in cuts:
            if cut_end <= start or cut_start >= end:
                continue
            if cut_start > start:
                regions.append(Region(start, cut_start))
            start = max(start, cut_end)
        if end > start:
            regions.append(Region(start, end))
    return tuple(regions)


def compare_exercise(exercise_id: str, answers: list[StudentCode], boilerplate: list[str],
                     settings: SimilaritySettings) -> list[PairScore]:
    """Every pair of `answers` (student_a < student_b), scored and flagged; `regions_*` only on flagged pairs."""
    from copydetect import compare_files

    ignored, ignored_lines = boilerplate_hashes(boilerplate, settings.k), boilerplate_lines(boilerplate)
    answers = sorted(answers, key=lambda a: a.student)
    prints = [_fingerprint(f"{a.student}.py", a.text, settings.k, _with_seams(ignored, a.text, ignored_lines, settings.k))
              for a in answers]
    pairs = []
    for (a, fa), (b, fb) in itertools.combinations(zip(answers, prints, strict=True), 2):
        if not fa.hashes & fb.hashes:
            pairs.append(PairScore(exercise_id, a.student, b.student, 0.0, 0.0, 0.0, 0, False))
            continue
        matched, (share_a, share_b), (slices_a, slices_b) = compare_files(fa, fb)
        share_a, share_b = round(float(share_a), 4), round(float(share_b), 4)  # as the CSV shows them
        score = max(share_a, share_b)
        flagged = score >= settings.threshold and int(matched) >= settings.min_matched
        pairs.append(PairScore(
            exercise_id, a.student, b.student, score, share_a, share_b, int(matched), flagged,
            _regions(slices_a, a.text, ignored_lines) if flagged else (),
            _regions(slices_b, b.text, ignored_lines) if flagged else ()))
    return pairs


@dataclass
class SimilarityReport:
    """One pass over a class: every pair of every exercise compared, and what could not be compared.

    `labels[exercise_id]` names an exercise as the gradebook does (`04_sequential`); `code[(exercise_id,
    student)]` is the text that was compared (the HTML report shows it for flagged pairs).
    """

    students: list[str]
    labels: dict[str, str]
    pairs: list[PairScore]
    not_compared: list[NotCompared]
    code: dict[tuple[str, str], str]
    settings: SimilaritySettings

    @property
    def flagged(self) -> list[PairScore]:
        return [p for p in self.pairs if p.flagged]

    def where(self, entry: NotCompared) -> str:
        """What of a student's was left out: an exercise's label, or the whole submission."""
        return self.labels.get(entry.exercise_id, entry.exercise_id) if entry.exercise_id else "whole submission"


def compare_class(found: ClassCode, exercises: list[Exercise], settings: SimilaritySettings,
                  boilerplate: Callable[[Exercise], list[str]]) -> SimilarityReport:
    """Compare every exercise's answers pairwise; `boilerplate(exercise)` gives the texts to ignore."""
    pairs = []
    for exercise in exercises:
        answers = found.code.get(exercise.id, [])
        if len(answers) >= 2:
            pairs.extend(compare_exercise(exercise.id, answers, boilerplate(exercise), settings))
    order = {e.id: n for n, e in enumerate(exercises)}
    pairs.sort(key=lambda p: (order[p.exercise_id], -p.score, p.student_a, p.student_b))
    code = {(a.exercise_id, a.student): a.text for answers in found.code.values() for a in answers}
    return SimilarityReport(found.students, {e.id: e.stem for e in exercises}, pairs,
                            list(found.not_compared), code, settings)
