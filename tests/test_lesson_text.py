"""The lessons' text agrees with Keras: every code block meant to run runs, and every value, shape,
error and printed summary that the text quotes next to the code is what Keras gives.

How a page marks its code is described in grader/author/lesson_code.py.
"""

from __future__ import annotations

import pytest
from conftest import ROOT

from grader.author.lesson_code import CodeBlock, PageRun, PrintedBlock, lesson_pages, page_items, run_page
from grader.author.lesson_numbers import equations, numbers_in, unaccounted_figures

PAGES = lesson_pages(ROOT / "docs")
_RUNS: dict[str, PageRun] = {}


def _run(page) -> PageRun:
    """The page's code run once per test session (both page tests read it)."""
    if page.name not in _RUNS:
        _RUNS[page.name] = run_page(page.read_text(encoding="utf-8"))
    return _RUNS[page.name]


def _report(run) -> str:
    return "\n".join(f"line {c.line}: {c.statement.splitlines()[0]}\n    the text says {c.expected!r}\n"
                     f"    Keras gives   {c.got!r}" for c in run.failures)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_lesson_code_runs_and_the_values_it_quotes_are_what_keras_gives(page):
    run = _run(page)
    assert not run.failures, f"{page.name}:\n{_report(run)}"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_equation_a_page_quotes_holds(page):
    false = [f"line {eq.line}: {eq.text}  (the sides are {', '.join(f'{v:g}' for v in eq.values)})"
             for eq in equations(page.read_text(encoding="utf-8")) if not eq.holds]
    assert not false, f"{page.name}:\n" + "\n".join(false)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_large_figure_in_the_prose_is_what_keras_gives_or_a_true_equation(page):
    """A parameter count in a sentence, a table or a drawing must be a value the page's code checked
    against Keras, a term of a true equation, or a figure the page names as not computed by Keras."""
    run = _run(page)
    checked = set().union(*(numbers_in(claim.got) for claim in run.claims if claim.ok))
    loose = unaccounted_figures(page.read_text(encoding="utf-8"), checked)
    assert not loose, f"{page.name}: figures nothing checks: " + ", ".join(f"line {n}: {v:,}" for n, v in loose)


def test_every_lesson_checks_some_claims_and_every_skip_says_why():
    for page in PAGES[1:]:
        items = page_items(page.read_text(encoding="utf-8"))
        blocks = [item for item in items if isinstance(item, CodeBlock) and not item.hidden]
        assert any(block.skip is None for block in blocks), f"{page.name}: no code block runs"
        for block in blocks:
            assert block.skip is None or block.skip not in {"", "skipped"}, (page.name, block.line)


def test_the_summary_tables_are_checked_against_keras():
    quoted = {page.name for page in PAGES
              if any(isinstance(item, PrintedBlock) for item in page_items(page.read_text(encoding="utf-8")))}
    assert {"04-the-sequential-model.md", "06-the-functional-api.md"} <= quoted


PAGE = '''
```python
import numpy as np
x = np.zeros((2, 3))
x.shape                  # (2, 3)
x.sum()                  # 0.0: all zeros
int(x.size)              # 7 = a wrong count
```
'''


def test_a_wrong_quoted_value_is_reported_with_its_line():
    run = run_page(PAGE)
    assert [(c.line, c.expected) for c in run.failures] == [(7, "7")]
    assert [c.ok for c in run.claims] == [True, True, False]


def test_an_error_the_text_promises_must_happen_and_an_unpromised_one_stops_the_page():
    promised = run_page("```python\n1 / 0   # ZeroDivisionError: division by zero\n```\n")
    assert not promised.failures and promised.claims[0].ok
    missing = run_page("```python\n1 / 1   # ZeroDivisionError: never raised\n```\n")
    assert missing.failures[0].got == "no exception"
    misquoted = run_page("```python\n1 / 0   # ZeroDivisionError: ... by nothing\n```\n")
    assert misquoted.failures and "division by zero" in misquoted.failures[0].got
    stopped = run_page("```python\nundefined_name\n2   # 3\n```\n")
    assert len(stopped.claims) == 1 and "NameError" in stopped.failures[0].got


def test_skipped_blocks_do_not_run_and_preludes_do():
    page = ("<!-- docs-check: prelude\nvalue = 41\n-->\n"
            "<!-- docs-check: skip (needs the network) -->\n```python\nraise SystemExit\n```\n"
            "```python\nvalue + 1   # 42\n```\n")
    run = run_page(page)
    assert not run.failures and [c.expected for c in run.claims] == ["42"]


def test_a_printed_block_must_match_what_its_expression_prints():
    good = run_page('```python\ntext = "a\\nb"\n```\n<!-- docs-check: prints print(text) -->\n```text\na\nb\n```\n')
    bad = run_page('```python\ntext = "a\\nc"\n```\n<!-- docs-check: prints print(text) -->\n```text\na\nb\n```\n')
    assert not good.failures and len(good.claims) == 1
    assert len(bad.failures) == 1


def test_a_false_equation_anywhere_on_a_page_is_reported_and_an_unreadable_one_is_skipped():
    page = ("The first layer has 784·128 + 128 = 100,480 parameters.\n"
            "| `Dense(2)` | 3·2 + 2 | 9 |\n"
            "    (None, 64)       64·32 + 32 = 2,081\n"
            "The loss is (1² + 2²) / 2 = 2.5, and x2 = 5.\n")
    found = equations(page)
    assert [(eq.line, eq.holds) for eq in found] == [(1, True), (2, False), (3, False)]


def test_a_figure_that_no_keras_value_or_equation_accounts_for_is_reported():
    page = ("<!-- docs-check: figures 60,000 (the MNIST training set) -->\n"
            "MNIST has 60,000 images. The model has 100,480 + 1,290 = **101,770** parameters,\n"
            "the summary says 397,54 KB, the encoder has 1,040 and the head 1,291.\n")
    assert unaccounted_figures(page, checked={1040}) == [(3, 1291)]
