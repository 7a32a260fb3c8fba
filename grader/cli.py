"""`course`: the command line. A thin layer over grader.learner, grader.author and friends.

The learner's commands (grader.learner.cli) are in every copy of the course. The instructor's
(`register_instructor_commands`: grade, report, release, gradescope, nbgrader, stubs, new-exercise, similarity) are only in the
instructor's repository; in the learner's copy (the manifest's `edition`, written by `course
release`) typing one of them says in one line whose copy it belongs to.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from grader.learner.cli import register as register_learner_commands
from grader.manifest import load_course

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Keras course: check your exercises, get hints, track progress, hand in your work.")
err = Console(stderr=True, highlight=False)


def register_instructor_commands(target: typer.Typer) -> None:
    """Add the instructor's commands (authoring, exports, batch grading, release) to `target`."""
    from grader.author.commands import register as register_authoring
    from grader.export.commands import register as register_exports
    from grader.grade.commands import register as register_batch
    from grader.similarity.commands import register as register_similarity

    register_authoring(target)
    register_exports(target)
    register_batch(target)
    register_similarity(target)


def instructor_command_names() -> set[str]:
    """The names of the instructor's commands and command groups, as `register_instructor_commands` defines them."""
    probe = typer.Typer()
    register_instructor_commands(probe)
    return {c.name for c in probe.registered_commands} | {g.name for g in probe.registered_groups}


def instructor_only_message(command: str) -> str:
    return (f"`course {command}` belongs to the instructor's copy of the course; this is the learner's copy "
            "(`course --help` lists your commands)")


register_learner_commands(app)
if not load_course().is_learner_copy:
    register_instructor_commands(app)


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else None
    if command and load_course().is_learner_copy and command in instructor_command_names():
        print(instructor_only_message(command), file=sys.stderr)  # one line, never wrapped
        sys.exit(2)
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
