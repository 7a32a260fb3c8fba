"""CLI commands for instructors (registered on the `course` app by grader.cli)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from grader.export.roster import Roster
    from grader.grade.deadlines import LateTerms


def register(app: typer.Typer) -> None:
    """Add `course grade`, `course release` and `course gradescope ...` to `app`."""
    _register_release(app)

    @app.command("grade")
    def grade(
        submissions: Annotated[list[Path], typer.Argument(help="folders/archives of submissions, or nbgrader's submitted/ tree")],
        out: Annotated[Path, typer.Option("--out", "-o", help="where the gradebook and feedback go")],
        workers: Annotated[int, typer.Option("--workers", "-w", help="students graded at once")] = max(1, os.cpu_count() or 1),
        memory_mb: Annotated[int, typer.Option("--memory-mb", help="memory limit per submission process")] = 2048,
        exercise: Annotated[list[str] | None, typer.Option("--exercise", "-e", help="grade only these exercises")] = None,
        force: Annotated[bool, typer.Option("--force", help="re-grade students that already have results")] = False,
        only_changed: Annotated[bool, typer.Option(
            "--only-changed", help="re-grade only the exercises whose grader, manifest entry, solution, packages or "
                                   "data changed, for students already graded; report whose grade moved")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="JSON lines of progress, then a summary")] = False,
        scheduler: Annotated[str | None, typer.Option(
            "--scheduler", help="grade on this Dask distributed cluster (e.g. tcp://10.0.0.5:8786)")] = None,
        deadline: Annotated[str | None, typer.Option(
            "--deadline", help="ISO 8601 with a UTC offset, e.g. 2026-12-01T23:59+01:00 ('none' drops a recorded one)")] = None,
        late_policy: Annotated[str | None, typer.Option(
            "--late-policy", help="e.g. 'linear:10%/day,max:50%', 'cutoff' or 'none' (the default)")] = None,
        extensions: Annotated[Path | None, typer.Option("--extensions", help="CSV: student,deadline")] = None,
        submissions_csv: Annotated[Path | None, typer.Option(
            "--submissions-csv", help="CSV: student,submitted_at (before timestamp.txt and archive times)")] = None,
        roster: Annotated[Path | None, typer.Option(
            "--roster", help="CSV: student,lms_id,name,email,section,… for canvas.csv and moodle.csv")] = None,
        similarity: Annotated[bool, typer.Option(
            "--similarity", help="also write similarity.csv/html: near-copies flagged per exercise, grades unchanged")] = False,
    ) -> None:
        """Grade a whole class: isolated, limited, resumable; writes grades.csv/json, feedback, Gradescope,
        Canvas and Moodle files; applies a deadline and late policy when given."""
        from grader.grade.grade import GradeOptions, grade_class
        from grader.grade.intake import count_students
        from grader.manifest import load_course

        console = Console(stderr=True, highlight=False)
        if only_changed and force:
            console.print("[red]--only-changed and --force exclude each other: --force grades everything again[/red]")
            raise typer.Exit(2)
        missing = [str(p) for p in submissions if not p.exists()]
        if missing:
            console.print(f"[red]no such folder or archive: {', '.join(missing)}[/red]")
            raise typer.Exit(2)
        course = load_course()
        try:
            chosen = [course.find(e).id for e in exercise] if exercise else None
        except LookupError as error:
            console.print(f"[red]{error}[/red]")
            raise typer.Exit(2) from None
        late = _late_terms(console, out, submissions, course, chosen, deadline, late_policy, extensions,
                           submissions_csv, roster)
        total = count_students(submissions, list(course.exercises))
        progress = _progress(console, total, as_json)
        if scheduler:
            try:
                import distributed  # noqa: F401
            except ImportError:
                console.print("[red]--scheduler needs Dask: pip install 'keras-course[scale]'[/red]")
                raise typer.Exit(2) from None
        if similarity:
            try:
                import copydetect  # noqa: F401
            except ImportError:
                console.print("[red]--similarity needs copydetect: pip install 'keras-course[instructor]'[/red]")
                raise typer.Exit(2) from None
        options = GradeOptions(out=out, workers=workers, memory_mb=memory_mb, exercises=chosen, force=force,
                               on_progress=progress.update, scheduler=scheduler, late=late.terms, roster=late.roster,
                               only_changed=only_changed, similarity=similarity,
                               extra_hide=[p.resolve() for p in (extensions, submissions_csv, roster) if p])
        with progress:
            records = grade_class(submissions, options)
        if only_changed and not as_json:
            from grader.grade.changes import CHANGES_FILE

            print_changes(Console(highlight=False), progress.changes, out / CHANGES_FILE)
        from grader.export.report import REPORT_HTML

        if as_json:
            print(json.dumps({"students": len(records), "out": str(out), "report": str(out / REPORT_HTML),
                              "totals": {r["student"]: r["total"] for r in records}}))
        else:
            Console(highlight=False).print(f"graded {len(records)} students → {out}/grades.csv, grades.json, "
                                           "feedback/, gradescope/, canvas.csv, moodle.csv"
                                           + (", similarity.html/csv" if similarity else ""))
            print(f"class report: {out / REPORT_HTML}")  # never wrapped: a path to copy
        _report_terms(console, out)


@dataclass
class _Terms:
    terms: LateTerms | None
    roster: Roster | None


def _late_terms(console: Console, out: Path, submissions: list[Path], course, chosen: list[str] | None,
                deadline: str | None, policy: str | None, extensions: Path | None, submissions_csv: Path | None,
                roster_file: Path | None) -> _Terms:
    """Read and check the deadline, policy, extensions, submission times and roster before any grading:
    the first problem is one line on stderr and exit status 2."""
    from grader.export.roster import RosterError, read_roster, record_roster, recorded_roster
    from grader.grade.deadlines import TermsError, forget_terms, load_terms, prepare_lateness, recorded_terms

    exercises = [course.find(e) for e in chosen] if chosen else list(course.exercises)
    try:
        roster_source = roster_file or recorded_roster(out)
        roster = read_roster(roster_source) if roster_source else None
        dropped = deadline is not None and deadline.strip().lower() == "none"
        terms = load_terms(None if dropped else deadline, policy, extensions, submissions_csv,
                           None if dropped else recorded_terms(out))
        if dropped:
            forget_terms(out)
        prepare_lateness(out.resolve(), submissions, exercises, terms, set(roster.entries) if roster else set())
    except (TermsError, RosterError) as error:
        console.print(str(error), style="red", markup=False, soft_wrap=True)
        raise typer.Exit(2) from None
    if roster_file:
        record_roster(out, roster_file)
    return _Terms(terms, roster)


def _report_terms(console: Console, out: Path) -> None:
    """After grading: who was late, whose time is unknown, who is missing from the roster."""
    data = json.loads((out / "grades.json").read_text(encoding="utf-8"))
    students = data["students"]
    late = [s for s in students if s.get("late", {}).get("seconds_late", 0) > 0]
    unknown = [s["student"] for s in students if "late" in s and not s["late"]["submitted_at"]]
    if data.get("late_terms"):
        penalised = sum(1 for s in late if s["late_penalty"] > 0)
        console.print(f"deadline {data['late_terms']['deadline']}, policy '{data['late_terms']['policy']}': "
                      f"{len(late)} late ({penalised} penalised)", markup=False, soft_wrap=True)
    if unknown:
        console.print(f"no submission time for {len(unknown)} student(s), not judged late: {', '.join(unknown[:10])}",
                      style="yellow", markup=False, soft_wrap=True)
    if data.get("not_on_roster"):
        missing = data["not_on_roster"]
        console.print(f"{len(missing)} graded student(s) not on the roster (canvas.csv/moodle.csv use their course id): "
                      f"{', '.join(missing[:10])}", style="yellow", markup=False, soft_wrap=True)


def _register_release(app: typer.Typer) -> None:
    @app.command("release")
    def release(out: Annotated[Path, typer.Argument(help="an empty folder for the learner copy")]) -> None:
        """Write the learner-facing course: lessons, stubs, public checks, CLI — no solutions or hidden checks."""
        from grader.author.release import leaked_solution_text, write_release

        try:
            target = write_release(out)
        except FileExistsError as error:
            Console(stderr=True).print(f"[red]{error}[/red]")
            raise typer.Exit(2) from None
        leaks = leaked_solution_text(target)
        if leaks:
            Console(stderr=True).print("[red]solution text found in the release:[/red]\n" + "\n".join(leaks))
            raise typer.Exit(1)
        Console().print(f"learner release written to {target} (no solution or hidden-check text in it)")

    gradescope = typer.Typer(help="Gradescope autograder", no_args_is_help=True)

    @gradescope.command("bundle")
    def bundle(out: Annotated[Path, typer.Argument(help="the autograder zip to write")] = Path("autograder.zip")) -> None:
        """Build the Gradescope autograder zip (setup.sh, run_autograder, the course)."""
        from grader.export.gradescope import write_bundle

        Console().print(f"wrote {write_bundle(out)}")

    app.add_typer(gradescope, name="gradescope")


class _progress:
    """A rich progress bar with counts and ETA, or JSON lines for machines."""

    def __init__(self, console: Console, total: int, as_json: bool) -> None:
        self.as_json, self.total = as_json, total
        self.changes: list[dict] = []
        if not as_json:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TextColumn("ETA"),
                                TimeRemainingColumn(), TextColumn("{task.fields[last]}"), console=console)
            self.task = self.bar.add_task("grading", total=total, last="")

    def __enter__(self):
        if not self.as_json:
            self.bar.__enter__()
        return self

    def __exit__(self, *exc):
        if not self.as_json:
            self.bar.__exit__(*exc)

    def update(self, event: str, record: dict) -> None:
        if event == "change":  # an exercise graded again by --only-changed (grader.grade.changes)
            self.changes.append(record)
            if self.as_json:
                print(json.dumps({"event": event, **record}), flush=True)
            return
        if event == "left":  # not graded by --only-changed: no trusted result for the student's current files
            if self.as_json:
                print(json.dumps({"event": event, **record}), flush=True)
            else:
                from rich.markup import escape

                self.bar.console.print(escape(f"{record['student']}: left as it is ({record['reason']}; "
                                              "grade without --only-changed)"))
                self.bar.update(self.task, advance=1)
            return
        if event == "failed":  # no result for this student in this run
            if self.as_json:
                print(json.dumps({"event": event, "student": record["student"], "reason": record["reason"]}), flush=True)
            else:
                self.bar.console.print(f"[red]{record['student']}: not graded ({record['reason']})[/red]")
            return
        if self.as_json:
            print(json.dumps({"event": event, "student": record["student"], "total": record["total"],
                              "max_total": record["max_total"]}), flush=True)
        else:
            self.bar.update(self.task, advance=1, last=f"{record['student']}: {record['total']:g}/{record['max_total']:g}")


def print_changes(console: Console, changes: list[dict], path: Path) -> None:
    """The table of grades that moved in an --only-changed run (every regraded exercise is in `path`)."""
    from rich.table import Table
    from rich.text import Text

    moved = [c for c in changes if c["moved"]]
    console.print(f"re-graded {len(changes)} exercise results; {len(moved)} moved → {path}")
    if not moved:
        return
    table = Table("student", "exercise", "before", "after", "change", "why")
    for c in sorted(moved, key=lambda c: (c["student"], c["exercise"])):
        table.add_row(Text(c["student"]), c["exercise"], _points(c["before"]), _points(c["after"]),
                      f"{c['change']:+g}", Text(c["why"]))
    console.print(table)


def _points(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"
