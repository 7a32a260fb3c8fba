"""`report.html`: the class report as one self-contained page, rendered from a `ClassReport`.

One file that works offline: inline CSS and inline SVG plots (grader.export.plots), no script, no
font, image or stylesheet from anywhere, and a Content-Security-Policy that forbids loading or running
anything should a string ever slip through. Every string is escaped — student ids and failure messages
are hostile input. Each plot has a title and a description and a table with the same numbers beside it.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the figures' types only: grader.export.report renders through this module
    from grader.export.report import CheckRate, ClassReport, Distribution, ExerciseReport, Timing

POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
RANKED_PLOT_CHECKS = 20  # the plot of the hardest checks shows this many; the table shows them all
STYLE = """
body{font-family:system-ui,sans-serif;max-width:72rem;margin:1.5rem auto;padding:0 1rem;line-height:1.45;color:#1d1d1d}
h1{margin-bottom:.2rem}h2{border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2.2rem}
.pair{display:flex;flex-wrap:wrap;gap:1.2rem;align-items:flex-start}
figure{margin:0}svg.plot{max-width:100%;height:auto}
table{border-collapse:collapse;margin:.4rem 0;font-size:.92rem}caption{text-align:left;font-weight:600;padding:.2rem 0}
th,td{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;vertical-align:top}td.n{text-align:right}
code,pre{font-family:ui-monospace,monospace;font-size:.88rem}pre{white-space:pre-wrap;margin:.2rem 0}
.muted{color:#555}details{margin:.3rem 0}
"""


def _n(value: float | None, unit: str = "") -> str:
    return "—" if value is None else f"{value:g}{unit}"


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{100 * rate:.0f}%"


def _table(caption: str, header: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    """A table whose cells are already escaped HTML; columns in `numeric` are right-aligned."""
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in header)
    body = "".join("<tr>" + "".join(f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>"
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _distribution(scores: Distribution, *, salt: str, title: str, xlabel: str) -> str:
    from grader.export.plots import histogram_svg

    plot = histogram_svg(scores, salt=salt, title=title, xlabel=xlabel)
    summary = (f"{scores.count} students · mean {_n(scores.mean)} · median {_n(scores.median)} · "
               f"min {_n(scores.minimum)} · max {_n(scores.maximum)} (out of {_n(scores.max_points)})")
    table = _table(f"{title}: students per score", [xlabel, "students"],
                   [[escape(b.label), str(b.count)] for b in scores.bins], {1})
    return (f'<div class="pair"><figure>{plot}<figcaption class="muted">{escape(summary)}</figcaption></figure>'
            f"{table}</div>")


def _check_rows(checks: list[CheckRate], with_exercise: bool) -> list[list[str]]:
    return [([escape(c.exercise)] if with_exercise else []) + [
        f"<code>{escape(c.check)}</code>", "hidden" if c.hidden else "public", f"{c.passed} / {c.attempted}",
        _percent(c.pass_rate)] for c in checks]


def _timing_cells(timing: Timing) -> list[str]:
    return [str(timing.count), _n(timing.median_s, " s"), _n(timing.p90_s, " s")]


def _exercise_section(exercise: ExerciseReport) -> str:
    name = f"Exercise {exercise.id} — {exercise.title}"
    parts = [f'<section aria-labelledby="ex-{escape(exercise.id)}"><h3 id="ex-{escape(exercise.id)}">{escape(name)}</h3>',
             _distribution(exercise.scores, salt=f"plot-ex{exercise.id}", title=f"{name}: points",
                           xlabel="points")]
    parts.append(_table(f"{name}: pass rate per check (of the students whose exercise was graded)",
                        ["check", "kind", "passed / graded", "pass rate"], _check_rows(exercise.checks, False), {2, 3}))
    if exercise.first_failures:
        rows = [[str(f.count), f"<code>{escape(f.check)}</code>", f"<pre>{escape(f.message)}</pre>",
                 f"<details><summary>one instance</summary><pre>{escape(f.example)}</pre></details>"]
                for f in exercise.first_failures]
        parts.append(_table(f"{name}: most common first failures ({exercise.failed_graded} graded students "
                            "failed a check)", ["students", "check", "message (normalised)", "example"], rows, {0}))
    else:
        parts.append('<p class="muted">No graded student failed a check of this exercise.</p>')
    for status, ids in exercise.students_by_status.items():
        items = "".join(f"<li>{escape(i)}</li>" for i in ids)
        parts.append(f"<details><summary>{escape(status)}: {len(ids)} student(s)</summary><ul>{items}</ul></details>")
    return "".join(parts) + "</section>"


def render_report(report: ClassReport) -> str:
    """The whole page; every figure comes from `report` (the same data as report.json)."""
    title = f"Class report — {report.course}" if report.course else "Class report"
    statuses = ", ".join(f"{n} {s}" for s, n in report.student_statuses.items()) or "no students"
    parts = [f"<h1>{escape(title)}</h1>",
             f'<p class="muted">Generated {escape(report.generated_at)} · data: {escape(report.dataset)}</p>',
             f"<p><strong>{report.class_size} students</strong> ({escape(statuses)}) · "
             f"{len(report.exercises)} exercises · totals out of {_n(report.totals.max_points)}.</p>"]
    parts += [f"<p><strong>Note:</strong> {escape(note)}</p>" for note in report.notes]
    parts += ['<section aria-labelledby="totals"><h2 id="totals">Totals</h2>',
              _distribution(report.totals, salt="plot-total", title="Total points", xlabel="total points"),
              "</section>"]
    from grader.export.plots import pass_rate_svg

    hardest = [c for c in report.checks_ranked if c.pass_rate is not None][:RANKED_PLOT_CHECKS]
    parts += ['<section aria-labelledby="checks"><h2 id="checks">Checks, the most failed first</h2>',
              "<p>The pass rate of a check counts the students whose exercise was graded (the checks ran on "
              "their code); not submitted, crashed and timed out are counted under statuses below.</p>",
              f'<div class="pair"><figure>{pass_rate_svg(hardest, salt="plot-checks", title="Pass rate of the hardest checks")}'
              "</figure></div>",
              _table("Every check, lowest pass rate first", ["exercise", "check", "kind", "passed / graded", "pass rate"],
                     _check_rows(report.checks_ranked, True), {3, 4}),
              "</section>"]
    columns = report.status_columns
    parts += ['<section aria-labelledby="statuses"><h2 id="statuses">Statuses and time per exercise</h2>',
              _table("Students per exercise status", ["exercise", *columns],
                     [[escape(f"{e.id} {e.title}"), *[str(e.statuses.get(s, 0)) for s in columns]]
                      for e in report.exercises], set(range(1, len(columns) + 1))),
              _table("Seconds per exercise: the student's code answering the probes, and the checks",
                     ["exercise", "timed", "code median", "code p90", "checks timed", "checks median", "checks p90"],
                     [[escape(f"{e.id} {e.title}"), *_timing_cells(e.student_seconds), *_timing_cells(e.check_seconds)]
                      for e in report.exercises], set(range(1, 7))),
              "</section>"]
    parts += ['<section aria-labelledby="exercises"><h2 id="exercises">Per exercise</h2>',
              f'<p class="muted">How first failures are grouped: {escape(report.message_rule)}</p>',
              *[_exercise_section(e) for e in report.exercises], "</section>"]
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body><main>"
            + "\n".join(parts) + "</main></body></html>\n")
