"""The class report (grader.export.report): its statistics on hand-built records, the files a real
`course grade` writes, `course report`, and the page in a real headless browser."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.export.report import (
    MESSAGE_RULE,
    REPORT_HTML,
    REPORT_JSON,
    build_report,
    normalise_failure,
    percentile,
    rebuild_report,
    write_report,
)

pytestmark = pytest.mark.xdist_group("report")  # one worker computes the module's graded fixtures

HOSTILE_ID = '<script>window.pwned=1</script>"><img src=x onerror=alert(1)>'
HOSTILE_MESSAGE = "`build_model` raised NameError: name '<script>alert(2)</script>' is not defined"
CHECKS = {"01": [("test_output_shape", 2), ("test_no_params", 1), ("test_row_major", 2)],
          "04": [("test_layer_types", 2), ("test_parameter_counts", 3), ("test_hidden_check", 1)]}
GRADEBOOK = {"course": "Keras course", "generated_at": "2026-11-26T17:00:00Z",
             "dataset": {"description": "MNIST (test data)"},
             "exercises": {"01": {"title": "Flatten", "max_points": 5}, "04": {"title": "Sequential", "max_points": 6}},
             "unverified_records": []}


def exercise(exercise_id: str, status: str = "graded", failed: dict[str, str] | None = None,
             seconds: float | None = 1.0) -> dict:
    """One exercise of a record: every check passed but those in `failed` (name → message)."""
    failed = {} if failed is None and status == "graded" else failed
    checks = []
    for name, points in CHECKS[exercise_id]:
        passed = status == "graded" and name not in (failed or {})
        checks.append({"name": name, "outcome": "passed" if passed else "failed", "points": points if passed else 0,
                       "max_points": points, "hidden": name == "test_hidden_check",
                       "message": "" if passed else (failed or {}).get(name, status), "notes": []})
    return {"title": "t", "status": status, "reason": None if status == "graded" else status,
            "points": sum(c["points"] for c in checks), "max_points": sum(p for _, p in CHECKS[exercise_id]),
            "checks": checks, "seconds": seconds if status == "graded" else None,
            "check_seconds": seconds / 2 if seconds and status == "graded" else None}


def record(student: str, **exercises: dict) -> dict:
    found = {k.removeprefix("e"): v for k, v in exercises.items()}
    total = sum(e["points"] for e in found.values())
    return {"student": student, "exercises": found, "total": total, "max_total": 11, "status": "graded"}


def test_percentile_interpolates_between_ranks_and_is_none_for_nothing():
    assert percentile([], 90) is None
    assert percentile([4.0], 90) == 4.0
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0], 90) == 10.0
    assert percentile([0.0, 10.0], 90) == pytest.approx(9.0)


def test_normalising_keeps_the_mistake_and_drops_one_students_values():
    first = "the model's held-out accuracy is 0.8734.\n  expected: ≥ 0.9\n  got:      0.8734"
    second = "the model's held-out accuracy is 0.51.\n  expected: ≥ 0.9\n  got:      0.51"
    assert normalise_failure(first) == normalise_failure(second) == "the model's held-out accuracy is #."
    assert normalise_failure("layer `dense_3` has 100,352 parameters") == \
        normalise_failure("layer `dense_17` has 100,352 parameters") == "layer `dense_#` has 100,352 parameters"
    # whole numbers are the mistake itself: a different shape or count is a different mistake
    assert normalise_failure("the output has shape (None, 28, 10)") != normalise_failure("the output has shape (None, 10)")
    assert normalise_failure("Dense layer 2 has 100,352 parameters") != normalise_failure("Dense layer 2 has 1,290 parameters")
    assert normalise_failure("could not read /tmp/abc123/work/04_sequential.py (at 0x7f3a2b)") == \
        normalise_failure("could not read /tmp/zz9/work/04_sequential.py (at 0x55aa01)")
    assert normalise_failure("") == "(no message)"
    assert "fractional part" in MESSAGE_RULE


def test_statistics_of_a_hand_built_class():
    records = [
        record("ann", e01=exercise("01"), e04=exercise("04")),
        record("ben", e01=exercise("01", failed={"test_output_shape": "the output has shape (None, 28, 28)\n  got: 1"}),
               e04=exercise("04", failed={"test_parameter_counts": "layer `dense_3` has 7 parameters",
                                          "test_hidden_check": "hidden"}, seconds=3.0)),
        record("cat", e01=exercise("01", failed={"test_output_shape": "the output has shape (None, 28, 28)\n  got: 2",
                                                 "test_row_major": "order"}),
               e04=exercise("04", failed={"test_layer_types": "no Flatten"}, seconds=5.0)),
        record("dan", e01=exercise("01", "timed out"), e04=exercise("04", "crashed")),
        record("eve", e01=exercise("01", "not submitted")),
    ]
    report = build_report(records, GRADEBOOK)
    assert report.class_size == 5
    first, fourth = report.exercises
    assert (first.id, first.title, first.max_points) == ("01", "Flatten", 5)
    assert first.statuses == {"graded": 3, "not submitted": 1, "timed out": 1}
    assert fourth.statuses == {"graded": 3, "crashed": 1, "no result": 1}  # eve's record has no 04 at all
    assert fourth.students_by_status == {"crashed": ["dan"], "no result": ["eve"]}
    # points: ann 5, ben 3, cat 1, dan 0, eve 0 — every student in the gradebook counts, as in grades.csv
    assert first.scores.count == 5 and first.scores.median == 1 and first.scores.mean == pytest.approx(1.8)
    assert [b.count for b in first.scores.bins] == [2, 1, 0, 1, 0, 1]
    assert [b.label for b in first.scores.bins] == ["0", "1", "2", "3", "4", "5"]
    shape = next(c for c in first.checks if c.check == "test_output_shape")
    assert (shape.attempted, shape.passed, shape.pass_rate) == (3, 1, pytest.approx(1 / 3, abs=1e-4))
    assert first.first_failures[0].count == 2 and first.first_failures[0].check == "test_output_shape"
    assert first.first_failures[0].message == "the output has shape (None, 28, 28)"
    assert fourth.failed_graded == 2 and sorted(f.check for f in fourth.first_failures) == \
        ["test_layer_types", "test_parameter_counts"]  # the hidden check failed second: not a first failure
    assert (fourth.student_seconds.count, fourth.student_seconds.median_s, fourth.student_seconds.p90_s) == (3, 3.0, 4.6)
    assert fourth.check_seconds.median_s == 1.5
    assert report.checks_ranked[0].pass_rate == pytest.approx(1 / 3, abs=1e-4)
    rates = [c.pass_rate for c in report.checks_ranked]
    assert rates == sorted(rates)
    assert report.totals.count == 5 and report.totals.maximum == 11 and report.totals.max_points == 11
    assert report.status_columns[:5] == ["graded", "not submitted", "crashed", "timed out", "grader error"]


def test_first_failures_that_differ_only_in_a_measured_value_are_one_group():
    records = [record(f"s{i}", e01=exercise("01", failed={"test_no_params": f"took {i}.{i}5 s, more than 1.5 s"}))
               for i in range(4)]
    (only,) = build_report(records, GRADEBOOK).exercises[0].first_failures
    assert (only.count, only.message, only.example) == (4, "took # s, more than # s", "took 0.05 s, more than 1.5 s")


def test_an_empty_class_has_a_report_with_no_figures_but_every_exercise(tmp_path):
    report = build_report([], GRADEBOOK)
    assert report.class_size == 0 and report.totals.count == 0 and report.totals.mean is None
    assert [e.id for e in report.exercises] == ["01", "04"]
    assert all(c.pass_rate is None for e in report.exercises for c in e.checks)
    assert report.totals.max_points == 11
    write_report(tmp_path, [], GRADEBOOK)
    assert json.loads((tmp_path / REPORT_JSON).read_text())["class_size"] == 0
    assert "0 students" in (tmp_path / REPORT_HTML).read_text()


def test_a_class_that_all_crashed_has_no_pass_rates_and_counts_every_crash():
    records = [record(s, e01=exercise("01", "crashed"), e04=exercise("04", "grader error")) for s in ("a", "b", "c")]
    report = build_report(records, GRADEBOOK)
    assert [e.statuses for e in report.exercises] == [{"crashed": 3}, {"grader error": 3}]
    assert all(c.attempted == 0 and c.pass_rate is None for c in report.checks_ranked)
    assert all(not e.first_failures and e.student_seconds.median_s is None for e in report.exercises)
    assert report.totals.bins[0].count == 3 and report.totals.mean == 0


def test_an_exercise_nobody_submitted_is_all_not_submitted():
    records = [record(s, e01=exercise("01"), e04=exercise("04", "not submitted")) for s in ("a", "b")]
    fourth = build_report(records, GRADEBOOK).exercises[1]
    assert fourth.statuses == {"not submitted": 2} and fourth.scores.bins[0].count == 2
    assert fourth.scores.maximum == 0 and [c.pass_rate for c in fourth.checks] == [None, None, None]


def test_hostile_ids_and_messages_are_escaped_in_the_page_and_kept_in_the_json(tmp_path):
    records = [record(HOSTILE_ID, e01=exercise("01", failed={"test_output_shape": HOSTILE_MESSAGE}),
                      e04=exercise("04", "timed out"))]
    write_report(tmp_path, records, GRADEBOOK)
    page = (tmp_path / REPORT_HTML).read_text()
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page
    data = json.loads((tmp_path / REPORT_JSON).read_text())
    assert data["exercises"][1]["students_by_status"] == {"timed out": [HOSTILE_ID]}


def test_the_report_of_a_hundred_students_takes_under_two_seconds_of_cpu(tmp_path):
    """CPU time, not wall time: the machines that run the tests are shared, and the neighbours' load is
    not the report's cost."""
    records = [record(f"student{i:03d}",
                      e01=exercise("01", failed={"test_row_major": f"wrong order at {i % 7}"} if i % 3 else None,
                                   seconds=i / 10),
                      e04=exercise("04", "crashed" if i % 10 == 0 else "graded", seconds=i / 20))
               for i in range(100)]
    write_report(tmp_path / "warm-up", records[:1], GRADEBOOK)  # matplotlib's import and font cache
    started = time.process_time()
    write_report(tmp_path, records, GRADEBOOK)
    assert time.process_time() - started < 2.0
    assert json.loads((tmp_path / REPORT_JSON).read_text())["class_size"] == 100


def test_rebuilding_from_a_folder_without_a_gradebook_says_so(tmp_path):
    from grader.export.report import GradebookError

    with pytest.raises(GradebookError, match="no grades.json"):
        rebuild_report(tmp_path)
    (tmp_path / "grades.json").write_text("{not json")
    with pytest.raises(GradebookError, match="could not be read"):
        rebuild_report(tmp_path)


# --- a real `course grade` run, its report, `course report`, and the page in headless Chromium ---

PAGE_HOSTILE_ID = "<img src=x onerror=alert(1)>"  # a folder name: no slash; refused as an id, kept as it is


def _course(*args: str) -> subprocess.CompletedProcess:
    """`course ARGS` as the instructor runs it (tests/test_batch.py's run_grade, for any command)."""
    env = {**os.environ, "COURSE_DATASET": "mnist5k"}
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], capture_output=True, text=True, env=env,
                          timeout=600)


@pytest.fixture(scope="module")
def graded_class(root, tmp_path_factory) -> Path:
    """A tiny class graded for real on exercises 1 and 2: a correct answer, untouched stubs, a student who
    handed in exercise 1 only, a file that does not parse, and a hostile id."""
    base = tmp_path_factory.mktemp("report")
    submissions = base / "submissions"
    for student, folder, files in (("alice", "solutions", ("01_flatten.py", "02_dense.py")),
                                   ("bob", "exercises", ("01_flatten.py", "02_dense.py")),
                                   ("carol", "solutions", ("01_flatten.py",)),
                                   (PAGE_HOSTILE_ID, "solutions", ("01_flatten.py",))):
        (submissions / student).mkdir(parents=True)
        for name in files:
            (submissions / student / name).write_text((root / folder / name).read_text())
    (submissions / "dave").mkdir()
    (submissions / "dave" / "01_flatten.py").write_text("def build_flatten_model(shape:\n")
    out = base / "gradebook"
    done = _course("grade", str(submissions), "--out", str(out), "-w", "1", "-e", "1", "-e", "2")
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"class report: {out / REPORT_HTML}" in done.stdout
    return out


def test_a_graded_class_has_a_report_whose_numbers_match_the_gradebook(graded_class):
    report = json.loads((graded_class / REPORT_JSON).read_text())
    rows = list(csv.DictReader((graded_class / "grades.csv").open()))
    students = json.loads((graded_class / "grades.json").read_text())["students"]
    assert report["class_size"] == len(rows) == 5
    assert [e["id"] for e in report["exercises"]] == ["01", "02"]
    for exercise, column in zip(report["exercises"], ("01_flatten", "02_dense"), strict=True):
        points = [float(r[column]) for r in rows]
        assert exercise["scores"]["count"] == len(points)
        assert exercise["scores"]["mean"] == pytest.approx(sum(points) / len(points), abs=1e-3)
        assert exercise["scores"]["maximum"] == max(points) and exercise["scores"]["minimum"] == min(points)
        assert sum(b["count"] for b in exercise["scores"]["bins"]) == len(points)
        for b in exercise["scores"]["bins"]:
            assert b["count"] == sum(b["low"] <= p <= b["high"] for p in points), b  # one bar per point value
        statuses = {}
        for s in students:
            status = s["exercises"][exercise["id"]]["status"]
            statuses[status] = statuses.get(status, 0) + 1
        assert exercise["statuses"] == statuses
    first, second = report["exercises"]
    assert first["statuses"] == {"graded": 4, "invalid student id": 1}  # dave's file is graded: it fails to load
    assert second["statuses"] == {"graded": 2, "not submitted": 2, "invalid student id": 1}
    assert second["students_by_status"]["not submitted"] == ["carol", "dave"]
    assert first["students_by_status"] == {"invalid student id": [PAGE_HOSTILE_ID]}
    totals = [float(r["total"]) for r in rows]
    assert report["totals"]["mean"] == pytest.approx(sum(totals) / len(totals), abs=1e-3)
    alice_max = next(float(r["total"]) for r in rows if r["student"] == "alice")
    assert report["totals"]["maximum"] == alice_max == report["totals"]["max_points"]
    assert all(c["attempted"] == 4 for c in first["checks"])  # alice, bob, carol, dave were graded on 01
    assert [c["pass_rate"] for c in report["checks_ranked"]][:1] == [0.5]  # alice and carol pass; bob and dave not
    assert first["failed_graded"] == 2 and sum(f["count"] for f in first["first_failures"]) == 2
    assert first["student_seconds"]["count"] == 4 and first["student_seconds"]["median_s"] > 0


def test_course_report_rebuilds_the_same_figures_without_grading(graded_class, tmp_path):
    import shutil

    copy = tmp_path / "gradebook"
    shutil.copytree(graded_class, copy)
    (copy / REPORT_JSON).unlink()
    (copy / REPORT_HTML).unlink()
    done = _course("report", str(copy))
    assert done.returncode == 0, done.stderr
    assert str(copy / REPORT_HTML) in done.stdout
    assert json.loads((copy / REPORT_JSON).read_text()) == json.loads((graded_class / REPORT_JSON).read_text())
    missing = _course("report", str(tmp_path / "nothing"))
    assert missing.returncode == 2 and "no grades.json" in missing.stderr and "Traceback" not in missing.stderr


@pytest.fixture(scope="module")
def browser():
    import shutil

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.fail("Debian's chromium is not installed; `make test` installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


def test_the_report_renders_offline_in_a_real_browser_with_the_hostile_id_as_text(browser, graded_class):
    report = json.loads((graded_class / REPORT_JSON).read_text())
    page = browser.new_page()
    errors, requests, dialogs = [], [], []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("request", lambda request: requests.append(request.url))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    url = (graded_class / REPORT_HTML).as_uri()
    page.goto(url, wait_until="load")
    assert requests == [url], "the report must load nothing but itself"
    assert page.title() == "Class report — " + report["course"]
    plots = page.locator("svg.plot[role=img]")
    assert plots.count() == len(report["exercises"]) + 2  # one per exercise, the totals, the hardest checks
    for index in range(plots.count()):
        plot = plots.nth(index)
        box = plot.bounding_box()
        assert box and box["width"] > 150 and box["height"] > 80, (index, box)
        assert plot.locator("title").text_content().strip() and plot.locator("path").count() > 3
    assert page.locator("table").count() >= 4 + 3 * len(report["exercises"])
    assert page.evaluate("typeof window.pwned") == "undefined" and page.locator("main img").count() == 0
    summary = page.locator("summary", has_text="invalid student id").first
    summary.click()
    item = page.locator("li", has_text=PAGE_HOSTILE_ID).first
    assert item.is_visible() and item.text_content() == PAGE_HOSTILE_ID
    assert not errors and not dialogs, (errors, dialogs)
    page.close()
