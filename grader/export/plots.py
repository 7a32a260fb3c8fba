"""The class report's plots: static SVG drawn with matplotlib, ready to inline in an HTML page.

matplotlib is imported by these functions only, never at module import (the grader's start-up time
matters). Figures are made with `matplotlib.figure.Figure` directly — no pyplot, no GUI backend, no global
state — and saved as SVG with text kept as text (`svg.fonttype: none`, readable and searchable), no
date in the metadata, and ids salted per plot so that several plots in one page never share an id.
Every SVG returned has `role="img"` and a `<title>`/`<desc>` pair it is labelled by; the page shows
the same numbers in a table beside it. Only numbers and course-defined names are drawn: nothing a
student wrote reaches a plot.
"""

from __future__ import annotations

import html
import io
import re
from typing import TYPE_CHECKING

from grader.manifest import check_label

if TYPE_CHECKING:  # the figures' types only: grader.export.report renders through this module
    from grader.export.report import CheckRate, Distribution

BAR_COLOUR = "#3b6ea8"
FAIL_COLOUR = "#b5473a"
MAX_TICKS = 7  # labelled bars of a histogram; the table beside it names every bar
MAX_LABEL_CHARS = 40  # a check's label on the pass-rate plot is cut here; the table gives the full name
LABEL_CHAR_IN = 0.076  # the width of one character of a 9 pt label, in inches (DejaVu Sans, on average)
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")


def _rc(salt: str) -> dict:
    return {"svg.hashsalt": salt, "svg.fonttype": "none", "text.parse_math": False, "font.size": 9,
            "axes.spines.top": False, "axes.spines.right": False}


def _inline(figure, salt: str, title: str, description: str) -> str:
    """`figure` as an `<svg>` element to inline: no XML prolog, labelled by its own title and description."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    opening = _SVG_OPEN.search(text)
    head = opening.group(0)[:-1] + f' role="img" aria-labelledby="{salt}-title {salt}-desc" class="plot">'
    label = (f'<title id="{salt}-title">{html.escape(title)}</title>'
             f'<desc id="{salt}-desc">{html.escape(description)}</desc>')
    return head + label + text[opening.end():]


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def histogram_svg(scores: Distribution, *, salt: str, title: str, xlabel: str) -> str:
    """A bar chart of `scores.bins` (students per score bin) as inline SVG."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_rc(salt)):
        figure = Figure(figsize=(4.2, 2.4))
        figure.subplots_adjust(left=0.14, right=0.97, top=0.95, bottom=0.2)
        axes = figure.subplots()
        positions = list(range(len(scores.bins)))
        axes.bar(positions, [b.count for b in scores.bins], color=BAR_COLOUR, width=0.85)
        step = -(-len(positions) // MAX_TICKS)  # few ticks: each costs matplotlib more than a bar
        axes.set_xticks(positions[::step], [b.label for b in scores.bins][::step])
        axes.set_xlabel(xlabel)
        axes.set_ylabel("students")
        axes.yaxis.get_major_locator().set_params(integer=True, nbins=4)
        described = ", ".join(f"{b.label}: {b.count}" for b in scores.bins if b.count)
        return _inline(figure, salt, title, f"Students per score ({described or 'no students'}).")


def pass_rate_svg(checks: list[CheckRate], *, salt: str, title: str) -> str:
    """Horizontal bars of the checks' pass rates, the first of `checks` on top, as inline SVG."""
    import matplotlib
    from matplotlib.figure import Figure

    rated = [c for c in checks if c.pass_rate is not None]
    with matplotlib.rc_context(_rc(salt)):
        labels = [_short(f"{c.exercise} {check_label(c.check)}") + (" (hidden)" if c.hidden else "")
                  for c in rated]
        width, height = 7.2, 0.8 + 0.24 * max(1, len(rated))
        label_in = 0.2 + LABEL_CHAR_IN * max([len(label) for label in labels] or [0])
        figure = Figure(figsize=(width, height))
        figure.subplots_adjust(left=label_in / width, right=0.97, top=1 - 0.15 / height, bottom=0.55 / height)
        axes = figure.subplots()
        rates = [100 * c.pass_rate for c in rated]
        axes.barh(range(len(rated)), rates, color=[FAIL_COLOUR if r < 50 else BAR_COLOUR for r in rates])
        axes.set_yticks(range(len(rated)), labels)
        axes.invert_yaxis()
        axes.set_xlim(0, 100)
        axes.set_xlabel("% of graded students passing")
        described = "; ".join(f"{label}: {rate:.0f}%" for label, rate in zip(labels, rates, strict=True))
        return _inline(figure, salt, title, f"Pass rate per check ({described or 'no graded exercise'}).")
