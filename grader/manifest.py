"""The course manifest (`grader/course.toml`): the single source of what the course contains.

Everything that needs to know which exercises exist, where their files and lessons live, how many
points each check is worth, which thresholds apply and how long a check may take reads it from here.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent
MANIFEST_PATH = PACKAGE_DIR / "course.toml"
PUBLIC_CHECKS_DIR = PACKAGE_DIR / "checks_public"
HIDDEN_CHECKS_DIR = PACKAGE_DIR / "checks_hidden"
INSTRUCTOR_EDITION = "instructor"
LEARNER_EDITION = "learner"  # written into the manifest of the copy `course release` makes for learners


class UnknownExercise(LookupError):
    """Raised when an exercise id, number or name matches no exercise in the manifest."""


@dataclass(frozen=True)
class HintLevel:
    """One level of an exercise's graduated hints: its key in `[exercise.hints]`, a label and the text."""

    key: str
    label: str
    text: str


HINT_LEVELS = {"nudge": "a nudge", "api": "the API to use", "worked": "a worked line"}  # in the order given
HIDDEN_CHECK = "hidden check"  # what learners read instead of a hidden check's name
SUBMISSION_SUFFIXES = (".py", ".ipynb")  # an exercise is submitted as its script or its notebook form


def check_label(name: str) -> str:
    """How people read a check's name: `test_layer_types` → `layer types` (terminal, feedback, site, notebooks)."""
    return name.removeprefix("test_").replace("_", " ")


def hidden_check_label(number: int) -> str:
    """How learners see the `number`-th hidden check of an exercise (1-based, in the manifest's order):
    `hidden check 2`. A hidden check's own name stays private."""
    return f"{HIDDEN_CHECK} {number}"


def points_number(points: float) -> str:
    """`2`, `2.5`: points as every view prints them (terminal, feedback, grades.csv, notebooks)."""
    return f"{points:g}"


def points_text(points: float) -> str:
    """`1 point`, `2.5 points`: a check's worth as notebooks print it."""
    return f"{points_number(points)} point" + ("" if points == 1 else "s")


@dataclass(frozen=True)
class Exercise:
    """One exercise as the manifest describes it."""

    id: str
    slug: str
    title: str
    lesson: str
    time_budget_s: float
    hints: tuple[HintLevel, ...]
    points: dict[str, float]
    thresholds: dict[str, float] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def hint(self) -> str:
        """The first hint: a concept-level nudge that gives no code."""
        return self.hints[0].text if self.hints else ""

    def hints_up_to(self, level: int) -> tuple[HintLevel, ...]:
        """The hints from the nudge up to `level` (1 = nudge, 2 = the API, 3 = a worked line)."""
        return self.hints[: max(1, level)]

    @property
    def number(self) -> int:
        return int(self.id)

    @property
    def filename(self) -> str:
        """The file name shared by the stub, the solution and a submission: `04_sequential.py`."""
        return f"{self.id}_{self.slug.replace('-', '_')}.py"

    @property
    def stem(self) -> str:
        """The file name without its suffix, `04_sequential`: the exercise's column in grades.csv."""
        return self.filename.removesuffix(".py")

    @property
    def notebook_name(self) -> str:
        """`04_sequential.ipynb`: the notebook form of the exercise file `04_sequential.py`."""
        return f"{self.stem}.ipynb"

    def submission_path(self, base: Path | None) -> Path:
        """The learner's file for this exercise: `base` itself if it names a script or notebook, else
        `base/<filename>`; `exercises/` under the current folder when `base` is None."""
        base = Path(base) if base else Path.cwd() / "exercises"
        return base if base.suffix in SUBMISSION_SUFFIXES else base / self.filename

    @property
    def page(self) -> str:
        """The site path of the generated exercise page, relative to `docs/`."""
        return f"exercises/{self.id}-{self.slug}.md"

    @property
    def public_checks(self) -> Path:
        return PUBLIC_CHECKS_DIR / f"test_{self.filename}"

    @property
    def hidden_checks(self) -> Path:
        return HIDDEN_CHECKS_DIR / f"test_{self.filename}"

    @property
    def max_points(self) -> float:
        return float(sum(self.points.values()))

    def threshold(self, dataset: str) -> float:
        """The accuracy threshold that applies on `dataset` (``"mnist"`` or ``"digits"``)."""
        try:
            return float(self.thresholds[dataset])
        except KeyError:
            raise KeyError(f"exercise {self.id} has no threshold for dataset {dataset!r}") from None


@dataclass(frozen=True)
class Course:
    """The manifest's `[course]` table and its exercises.

    `edition` says which copy of the course this is: the instructor's repository (the default), or
    the learner's copy written by `course release`, whose manifest says `edition = "learner"`.
    """

    title: str
    seed: int
    datasets: dict[str, dict[str, Any]]
    exercises: tuple[Exercise, ...]
    edition: str = INSTRUCTOR_EDITION

    @property
    def is_learner_copy(self) -> bool:
        return self.edition == LEARNER_EDITION

    def find(self, key: str | int) -> Exercise:
        """Resolve `4`, `"04"`, `"4"`, `"sequential"` or `"04_sequential"` to an exercise."""
        text = str(key).strip().lower().removesuffix(".py")
        for exercise in self.exercises:
            names = {exercise.id, str(exercise.number), exercise.slug, exercise.filename[:-3]}
            if text in names:
                return exercise
        known = ", ".join(f"{e.number} ({e.slug})" for e in self.exercises)
        raise UnknownExercise(f"no exercise called {key!r}; the exercises are {known}")

    def by_filename(self, filename: str) -> Exercise | None:
        return next((e for e in self.exercises if e.filename == filename), None)


_EXERCISE_KEYS = {"id", "slug", "title", "lesson", "time_budget_s", "hints", "points", "thresholds"}


def _hints(raw: dict, path: Path) -> tuple[HintLevel, ...]:
    hints = raw.get("hints", {})
    unknown = set(hints) - set(HINT_LEVELS)
    if unknown or not isinstance(hints, dict):
        raise ValueError(f"{path.name}: exercise {raw.get('id', '?')} has hints {sorted(unknown)}; "
                         f"the levels are {list(HINT_LEVELS)}")
    return tuple(HintLevel(key, label, hints[key].strip()) for key, label in HINT_LEVELS.items() if key in hints)


@cache
def load_course(path: Path = MANIFEST_PATH) -> Course:
    """Read and validate the manifest; raise ValueError naming the exercise and field on bad data."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    exercises = []
    for raw in data.get("exercise", []):
        missing = {"id", "slug", "title", "lesson", "points"} - raw.keys()
        if missing:
            raise ValueError(f"{path.name}: exercise {raw.get('id', '?')} lacks {sorted(missing)}")
        exercises.append(
            Exercise(
                id=str(raw["id"]),
                slug=raw["slug"],
                title=raw["title"],
                lesson=raw["lesson"],
                time_budget_s=float(raw.get("time_budget_s", 30)),
                hints=_hints(raw, path),
                points={k: float(v) for k, v in raw["points"].items()},
                thresholds=dict(raw.get("thresholds", {})),
                extra={k: v for k, v in raw.items() if k not in _EXERCISE_KEYS},
            )
        )
    ids = [e.id for e in exercises]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{path.name}: duplicate exercise ids in {ids}")
    course = data["course"]
    edition = course.get("edition", INSTRUCTOR_EDITION)
    if edition not in (INSTRUCTOR_EDITION, LEARNER_EDITION):
        raise ValueError(f"{path.name}: [course] edition must be {INSTRUCTOR_EDITION!r} or {LEARNER_EDITION!r}. "
                         f"Received: edition={edition!r}")
    return Course(course["title"], int(course["seed"]), data.get("datasets", {}), tuple(exercises), edition)
