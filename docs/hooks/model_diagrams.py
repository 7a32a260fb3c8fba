"""mkdocs hook: draw every model a page builds, and the figures it measures, from real Keras runs.

A page asks for a drawing with `<!-- diagram: NAME caption -->` after the code that binds `NAME`
to a model, and for a measured figure with `<!-- figure: NAME -->` (grader.author.figures).
At build time the hook runs the page's code (grader.author.lesson_code, the same runner the
text check uses), draws each model from its graph (grader.author.diagrams) and replaces the
marker with an inline SVG in a `<figure>`. Nothing is hand-drawn and nothing is fetched.

The page's `docs-check` comments (grader.author.lesson_code) are removed from what is published.
Results are cached in `.cache/docs/` (or the folder `COURSE_DOCS_CACHE` names), keyed by the page's text,
the drawing code, the installed Keras version and (for measured figures) the dataset, so a rebuild that
changes nothing runs nothing and does not even import TensorFlow; a copy of the course (a learner release)
with the same text and code may share the folder safely.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("COURSE_DOCS_CACHE") or ROOT / ".cache" / "docs")
FIGURE = re.compile(r"<!--\s*figure:\s*(?P<name>[a-z0-9-]+)\s*-->")
DIAGRAM_MARK = "<!-- diagram:"
AUTHORING = ROOT / "grader" / "author"


def _code_fingerprint() -> str:
    sources = [(AUTHORING / name).read_bytes() for name in ("lesson_code.py", "diagrams.py", "figures.py")]
    return hashlib.sha256(b"".join(sources) + Path(__file__).read_bytes() + version("keras").encode()).hexdigest()


def _dataset_name() -> str:
    from grader.datasets import chosen_dataset_name

    return chosen_dataset_name()


def _figure_html(svg: str, caption: str, kind: str) -> str:
    caption_html = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(caption, quote=False))
    return f'\n\n<figure class="{kind}">\n{svg}\n<figcaption>{caption_html}</figcaption>\n</figure>\n\n'


def _cached(name: str, key_parts: list[str], make) -> dict[str, str]:
    """`make()` (a JSON-able dict), cached in CACHE under `name` and a hash of `key_parts`."""
    key = hashlib.sha256("\0".join([*key_parts, _code_fingerprint()]).encode()).hexdigest()[:24]
    cached = CACHE / f"{name}-{key}.json"
    if cached.is_file():
        return json.loads(cached.read_text(encoding="utf-8"))
    value = make()
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps(value), encoding="utf-8")
    partial.replace(cached)
    for stale in CACHE.glob(f"{name}-*.json"):
        if stale != cached and len(stale.name) == len(cached.name):
            stale.unlink(missing_ok=True)
    return value


def _diagrams(markdown: str, page_name: str) -> dict[str, str]:
    """Marker text → HTML for every diagram marker, by running the page's code."""
    import keras

    from grader.author.diagrams import model_svg
    from grader.author.lesson_code import run_page

    rendered: dict[str, str] = {}

    def draw(marker, model) -> None:
        if not isinstance(model, keras.Model):
            raise ValueError(f"{page_name} line {marker.line}: `{marker.name}` is not a Keras model there "
                             f"(got {type(model).__name__})")
        caption = marker.caption or f"`{marker.name}`, drawn from the model the code above builds."
        rendered[marker.marker] = _figure_html(model_svg(model, caption), caption, "model-diagram-figure")

    run = run_page(markdown, on_diagram=draw)
    if run.error:
        raise ValueError(f"{page_name}: its code fails at {run.error}; tests/test_lesson_text.py shows why")
    return rendered


def _figure(name: str, page_name: str) -> dict[str, str]:
    from grader.author.figures import FIGURES

    if name not in FIGURES:
        raise ValueError(f"{page_name}: unknown figure {name!r}; known: {', '.join(FIGURES)}")
    figure = FIGURES[name]()
    return {"html": _figure_html(figure.svg, figure.caption, "measured-figure")}


def on_page_markdown(markdown, page, config, files):
    from grader.author.lesson_code import strip_check_comments

    page_name = page.file.src_uri
    if DIAGRAM_MARK in markdown:
        rendered = _cached(f"diagrams-{Path(page_name).stem}", [markdown], lambda: _diagrams(markdown, page_name))
        for marker, figure in rendered.items():
            markdown = markdown.replace(marker, figure, 1)
    for match in list(FIGURE.finditer(markdown)):
        name = match.group("name")
        figure = _cached(f"figure-{name}", [name, _dataset_name()], lambda name=name: _figure(name, page_name))
        markdown = markdown.replace(match.group(0), figure["html"], 1)
    return strip_check_comments(markdown)
