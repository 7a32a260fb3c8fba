"""The lesson site: builds with --strict, links every exercise once, and works in a real browser."""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from grader.checkfiles import check_names
from grader.manifest import check_label, load_course

pytestmark = pytest.mark.xdist_group("site")
EXERCISE_LINK = re.compile(r"\]\(\.\./(exercises/[0-9]{2}-[a-z-]+\.md)\)")


@pytest.fixture(scope="module")
def built_site(root, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
                          cwd=root, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def _lesson_links(root: Path) -> dict[str, list[str]]:
    return {str(p.relative_to(root / "docs")): EXERCISE_LINK.findall(p.read_text(encoding="utf-8"))
            for p in sorted((root / "docs" / "lessons").glob("*.md"))}


def test_every_lesson_links_to_its_own_exercise_only(root):
    links = _lesson_links(root)
    for exercise in load_course().exercises:
        assert exercise.lesson in links, f"exercise {exercise.id}'s lesson {exercise.lesson} does not exist"
        assert set(links[exercise.lesson]) == {exercise.page}, (exercise.lesson, links[exercise.lesson])


def test_every_exercise_is_linked_from_exactly_one_lesson(root):
    links = _lesson_links(root)
    for exercise in load_course().exercises:
        linking = [lesson for lesson, targets in links.items() if exercise.page in targets]
        assert linking == [exercise.lesson], (exercise.id, linking)
        assert (root / "exercises" / exercise.filename).is_file()


def test_lessons_state_the_corrected_facts(root):
    text = {p.name[:2]: p.read_text(encoding="utf-8") for p in (root / "docs" / "lessons").glob("*.md")}
    assert "101,770" in text["04"] and "100,480" in text["04"] and "1,290" in text["04"]
    assert "from_logits=True" in text["03"] and "from_logits=True" in text["05"]
    assert "keras.Input(shape=(28, 28))" in text["04"]
    assert "(batch, 5, 4)" in text["02"] or "(None, 5, 4)" in text["02"]
    assert re.search(r"max\(0, ?x\)", text["03"])


def test_site_builds_strictly_with_a_page_per_exercise(built_site):
    for exercise in load_course().exercises:
        page = built_site / exercise.page.replace(".md", ".html")
        assert page.is_file(), page
        html = page.read_text(encoding="utf-8")
        assert f"course check {exercise.number}" in html
        assert "raise NotImplementedError" in html  # the stub is shown
        assert "BEGIN SOLUTION" not in html
        hidden = check_names(exercise.hidden_checks)  # none in the learner's copy
        assert not [name for name in hidden if check_label(name) in html], exercise.id  # names private
        assert ("hidden check 1" in html) == bool(hidden), exercise.id
        hints = re.findall(r"<details[^>]*>\s*<summary>Hint (\d)", html)  # collapsed, opened one at a time
        assert hints == ["1", "2", "3"], hints
        import nbformat

        notebook = built_site / "notebooks" / exercise.filename.replace(".py", ".ipynb")
        parsed = nbformat.reads(notebook.read_text(encoding="utf-8"), as_version=4)
        nbformat.validate(parsed)
        assert any("raise NotImplementedError" in cell.source for cell in parsed.cells)


@pytest.fixture(scope="module")
def served_site(built_site):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(built_site))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.fail("Debian's chromium is not installed; `make test` installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.mark.parametrize("exercise", load_course().exercises, ids=lambda e: e.lesson)
def test_lesson_page_in_browser_links_to_its_exercise(browser, served_site, exercise, tmp_path_factory):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{served_site}/{exercise.lesson.replace('.md', '.html')}")
    assert page.locator("h1").first.inner_text().strip()
    link = page.locator(f'article a[href$="{exercise.page.replace(".md", ".html")}"]').first
    assert link.count() == 1, f"no link to {exercise.page} on {exercise.lesson}"
    notebook = exercise.filename.replace(".py", ".ipynb")
    assert page.locator(f'article a[href$="notebooks/{notebook}"]').count() == 1, "no link to the notebook form"
    shots = tmp_path_factory.mktemp("screenshots")
    page.screenshot(path=str(shots / f"lesson-{exercise.id}.png"), full_page=False)
    link.click()
    page.wait_for_load_state()
    assert page.url.endswith(exercise.page.replace(".md", ".html"))
    assert f"Exercise {exercise.number}" in page.locator("h1").first.inner_text()
    assert page.get_by_text(f"course check {exercise.number}").first.is_visible()
    page.screenshot(path=str(shots / f"exercise-{exercise.id}.png"))
    assert not errors, errors
    page.close()


def test_site_search_finds_a_lesson(browser, served_site):
    page = browser.new_page()
    page.goto(f"{served_site}/index.html", wait_until="networkidle")
    box = page.locator("input.md-search__input")
    for _attempt in range(3):  # the search index loads in a web worker; under load it can be late
        page.keyboard.press("/")  # material's search shortcut
        box.fill("")
        box.press_sequentially("logits", delay=30)
        try:
            page.locator(".md-search-result__item").first.wait_for(timeout=10_000)
            break
        except Exception:  # noqa: BLE001 - retried, then asserted below
            page.reload(wait_until="networkidle")
    assert page.locator(".md-search-result__item").count() > 0
    page.close()


DIAGRAM_MARKER = re.compile(r"<!--\s*diagram:\s*(\w+)")
FIGURE_MARKER = re.compile(r"<!--\s*figure:\s*([a-z0-9-]+)\s*-->")


def test_every_diagram_and_measured_figure_is_drawn_into_the_built_page(root, built_site):
    pages = [root / "docs" / "index.md", *sorted((root / "docs" / "lessons").glob("*.md"))]
    drawn = 0
    for source in pages:
        text = source.read_text(encoding="utf-8")
        diagrams, figures = len(DIAGRAM_MARKER.findall(text)), len(FIGURE_MARKER.findall(text))
        html = (built_site / source.relative_to(root / "docs")).with_suffix(".html").read_text(encoding="utf-8")
        assert html.count('<figure class="model-diagram-figure">') == diagrams, source.name
        assert html.count('<figure class="measured-figure">') == figures, source.name
        assert "<!-- diagram:" not in html and "<!-- figure:" not in html and "docs-check" not in html, source.name
        assert not re.search(r"<svg[^>]*\bhref=\"https?:", html), "a diagram must not load anything"
        drawn += diagrams + figures
    assert drawn >= 15  # every model lessons 1-11 build, plus lesson 5's curve and the capstone's sizes


def test_home_page_links_to_lesson_sections_that_exist(built_site):
    index = (built_site / "index.html").read_text(encoding="utf-8")
    links = set(re.findall(r'href="(lessons/[^"#]+\.html)#([^"]+)"', index))
    assert len(links) >= 8
    for page, anchor in links:
        assert f'id="{anchor}"' in (built_site / page).read_text(encoding="utf-8"), (page, anchor)


DRAWN = {
    "lessons/07-graphs-shared-layers-multiple-outputs-residuals.html": ["add (Add)", "digit (Dense)", "called 2×"],
    "lessons/06-the-functional-api.html": ["scan (InputLayer)", "meta (InputLayer)", "concatenate (Concatenate)"],
    "lessons/04-the-sequential-model.html": ["dense (Dense)", "100,480 params"],
    "lessons/09-subclassing-model.html": ["noisy_mlp (NoisyMLP)", "call() is Python code: Keras sees"],
    "lessons/01-tensors-and-shapes.html": ["(Flatten)", "→ (None, 784)"],
    "lessons/08-subclassing-layer.html": ["(Affine)", "128 params"],
    "lessons/10-choosing-an-api.html": ["(SubclassedScanMLP)", "(InputLayer)", "2,778 params"],
    "lessons/11-capstone.html": ["(Conv2D)", "(AveragePooling2D)", "4,010 params"],
    "lessons/12-saving-loading-and-freezing.html": ["standardize (Standardize)", "base (Functional)",
                                                    "100,480 params (100,480 non-trainable)"],
}


@pytest.mark.parametrize("page_path", sorted(DRAWN), ids=lambda p: p.split("/")[-1])
def test_model_diagrams_render_in_the_browser(browser, served_site, page_path):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{served_site}/{page_path}")
    diagrams = page.locator("figure.model-diagram-figure svg")
    assert diagrams.count() >= 1
    for index in range(diagrams.count()):
        box = diagrams.nth(index).bounding_box()
        assert box and box["width"] > 100 and box["height"] > 40, (page_path, index, box)
        assert diagrams.nth(index).locator("rect").count() >= 1
    texts = " | ".join(page.locator("figure.model-diagram-figure svg text").all_text_contents())
    for expected in DRAWN[page_path]:
        assert expected in texts, (page_path, expected)
    assert not errors, errors
    page.close()


def test_learning_curve_and_capstone_chart_render_in_the_browser(browser, served_site):
    page = browser.new_page()
    page.goto(f"{served_site}/lessons/05-training-and-evaluation.html")
    charts = page.locator("figure.measured-figure svg")
    assert charts.count() == 2  # loss and accuracy
    for index in range(2):
        lines = charts.nth(index).locator("polyline")
        assert lines.count() == 2  # training and held-out
        for line in range(2):
            assert len(lines.nth(line).get_attribute("points").split()) >= 5
        assert charts.nth(index).bounding_box()["height"] > 100
    page.goto(f"{served_site}/lessons/11-capstone.html")
    sizes = page.locator("figure.measured-figure svg polyline")
    assert sizes.count() == 1 and len(sizes.first.get_attribute("points").split()) >= 4
    assert "budget 20,000" in page.locator("figure.measured-figure svg").first.text_content()
    page.close()
