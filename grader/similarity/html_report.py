"""`similarity.html`: the flagged pairs side by side, the matched regions highlighted.

One self-contained page: inline CSS, no script, nothing fetched (a Content-Security-Policy forbids it),
so it opens offline from the gradebook folder. Every string that comes from a submission — student
ids, code, reasons that quote file names — is HTML-escaped. The page says what a flag means: a pair
for a person to read, never a penalty.
"""

from __future__ import annotations

import html
from pathlib import Path

from grader.results import write_text_atomic
from grader.similarity.detect import PairScore, Region, SimilarityReport

HTML_NAME = "similarity.html"
MATCH_CLASS = "match"  # the class of every highlighted region (the browser test looks for it)

_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 96rem; padding: 0 1rem; color: #1b1b1b; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2.5rem; }
table { border-collapse: collapse; margin: 1rem 0; } td, th { border: 1px solid #ccc; padding: .25rem .6rem; text-align: left; }
.pair { border: 1px solid #bbb; border-radius: 6px; padding: .5rem 1rem 1rem; margin: 1.5rem 0; }
.sides { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1rem; }
.side h3 { font-size: 1rem; margin: .5rem 0; }
pre { background: #f6f6f6; padding: .6rem; overflow-x: auto; font-size: 13px; line-height: 1.35; margin: 0; }
mark.match { background: #ffd54f; color: inherit; }
.note { color: #444; }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def highlighted(text: str, regions: tuple[Region, ...]) -> str:
    """`text` HTML-escaped, with each region (merged where they overlap) wrapped in <mark class="match">."""
    merged: list[list[int]] = []
    for region in sorted(regions, key=lambda r: r.start):
        start, end = max(0, region.start), min(len(text), region.end)
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    parts, position = [], 0
    for start, end in merged:
        parts.append(_e(text[position:start]))
        parts.append(f'<mark class="{MATCH_CLASS}">{_e(text[start:end])}</mark>')
        position = end
    parts.append(_e(text[position:]))
    return "".join(parts)


def _pair(report: SimilarityReport, pair: PairScore, number: int) -> str:
    label = report.labels[pair.exercise_id]
    sides = []
    for student, regions, share in ((pair.student_a, pair.regions_a, pair.share_a),
                                    (pair.student_b, pair.regions_b, pair.share_b)):
        code = report.code.get((pair.exercise_id, student), "")
        sides.append(f'<div class="side"><h3>{_e(student)} — {share:.0%} of their own code matches</h3>'
                     f'<pre><code>{highlighted(code, regions)}</code></pre></div>')
    return (f'<section class="pair" id="pair-{number}"><h2>{_e(label)}: {_e(pair.student_a)} and '
            f'{_e(pair.student_b)} — score {pair.score:.2f}</h2>'
            f'<p class="note">{pair.matched} characters of normalised code match.</p>'
            f'<div class="sides">{"".join(sides)}</div></section>')


def render(report: SimilarityReport) -> str:
    """The whole page as a string."""
    settings = report.settings
    flagged = report.flagged
    rows = "".join(f"<tr><td>{_e(report.labels[p.exercise_id])}</td><td>{_e(p.student_a)}</td>"
                   f'<td>{_e(p.student_b)}</td><td><a href="#pair-{n}">{p.score:.2f}</a></td></tr>'
                   for n, p in enumerate(flagged, start=1))
    summary = (f"<table><tr><th>exercise</th><th>student a</th><th>student b</th><th>score</th></tr>{rows}</table>"
               if flagged else "<p>No pair reached the threshold.</p>")
    left_out = ""
    if report.not_compared:
        items = "".join(f"<tr><td>{_e(n.student)}</td><td>{_e(report.where(n))}</td><td>{_e(n.reason)}</td></tr>"
                        for n in report.not_compared)
        left_out = ("<h2>Not compared</h2><table><tr><th>student</th><th>exercise</th><th>why</th></tr>"
                    f"{items}</table>")
    pairs = "".join(_pair(report, p, n) for n, p in enumerate(flagged, start=1))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Similarity report</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>Similarity report</h1>
<p class="note">{len(report.students)} students, {len(report.pairs)} pairs compared exercise by exercise,
<strong>{len(flagged)} flagged</strong> (score ≥ {settings.threshold:.2f} and at least {settings.min_matched}
matching characters of normalised code). The stub and the lesson's code are ignored; names and strings are
normalised, so renamed variables still match. A flag is a pair for a person to read side by side — it changes
no grade and proves nothing by itself. Every pair is in similarity.csv.</p>
{summary}
{left_out}
{pairs}
</body>
</html>
"""


def write_similarity_html(out: Path, report: SimilarityReport) -> Path:
    """Write OUT/similarity.html; return its path."""
    path = Path(out) / HTML_NAME
    write_text_atomic(path, render(report))
    return path
