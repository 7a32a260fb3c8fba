"""Similarity: near-copies are flagged per exercise, independent answers and the course's own text are not.

The threshold in grader/course.toml's `[similarity]` is proven here on the independently written
correct answers of tests/variants/ (no pair flagged) and on a disguised copy of each of them and of
each reference solution (every identifier it defines renamed, comments rewritten, top-level functions
and classes in reverse order: flagged).
"""

from __future__ import annotations

import ast
import csv
import io
import itertools
import os
import shutil
import subprocess
import sys
import tokenize
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader.manifest import load_course
from grader.similarity.boilerplate import boilerplate_texts, lesson_code_blocks
from grader.similarity.collect import MAX_COMPARED_BYTES, StudentCode
from grader.similarity.csv_report import COLUMNS, write_similarity_csv
from grader.similarity.detect import PairScore, Region, SimilarityReport, compare_exercise, load_settings
from grader.similarity.html_report import MATCH_CLASS, write_similarity_html

pytestmark = pytest.mark.xdist_group("similarity")  # one worker computes the module's fixtures

VARIANTS = Path(__file__).resolve().parent / "variants"
EXERCISES = load_course().exercises
HOSTILE_FOLDER = "<img src=x onerror=alert(1)>"  # not a valid student id: listed as not compared, escaped
HOSTILE_CODE = '\nBANNER = "</script><script>alert(1)</script><b>bold</b>"\n'


def renamed_and_reordered(text: str) -> str:
    """A disguised copy: every name the file binds (variables, parameters, nested functions) renamed
    (the graded top-level names kept), comments rewritten, top-level functions and classes reversed."""
    tree = ast.parse(text)
    top_level = {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif isinstance(node, ast.arg) and node.arg not in ("self", "cls"):
            bound.add(node.arg)
    bound -= top_level
    tokens = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.NAME and token.string in bound:
            token = token._replace(string=f"my_{token.string}_2")
        elif token.type == tokenize.COMMENT:
            token = token._replace(string="# my own work")
        tokens.append(token)
    renamed = tokenize.untokenize(tokens)
    tree, lines = ast.parse(renamed), renamed.splitlines(keepends=True)
    blocks = [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)]
    if len(blocks) < 2:
        return renamed
    first_line = [min([n.lineno, *(d.lineno for d in n.decorator_list)]) - 1 for n in blocks]
    chunks = ["".join(lines[start:n.end_lineno]) for start, n in zip(first_line, blocks, strict=True)]
    return "".join(lines[:first_line[0]]) + "\n\n".join(reversed(chunks)) + "\n" + "".join(lines[blocks[-1].end_lineno:])


def correct_answers(exercise) -> list[Path]:
    return sorted((VARIANTS / exercise.id).glob("correct_*.py"))


def _answers(exercise, named: dict[str, str]) -> list[StudentCode]:
    return [StudentCode(student, exercise.id, text) for student, text in named.items()]


def test_the_disguise_really_renames_and_reorders(root):
    original = (root / "solutions" / "07_graphs.py").read_text()
    disguised = renamed_and_reordered(original)
    ast.parse(disguised)
    assert "my_inputs_2" in disguised and "inputs =" not in disguised
    assert disguised.index("def build_siamese_model") < disguised.index("def build_residual_mlp")


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_no_two_independently_written_correct_answers_are_flagged(exercise, root):
    named = {path.stem: path.read_text() for path in correct_answers(exercise)}
    named["reference_solution"] = (root / "solutions" / exercise.filename).read_text()
    pairs = compare_exercise(exercise.id, _answers(exercise, named), boilerplate_texts(exercise), load_settings())
    assert len(pairs) == len(named) * (len(named) - 1) // 2
    assert not [p for p in pairs if p.flagged], [(p.student_a, p.student_b, p.score, p.matched) for p in pairs]
    assert max(p.score for p in pairs) < load_settings().threshold


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_a_renamed_and_reordered_copy_of_every_correct_answer_is_flagged(exercise, root):
    originals = [*correct_answers(exercise), root / "solutions" / exercise.filename]
    for original in originals:
        text = original.read_text()
        named = {"original": text, "copier": renamed_and_reordered(text)}
        [pair] = compare_exercise(exercise.id, _answers(exercise, named), boilerplate_texts(exercise), load_settings())
        assert pair.flagged, (original.name, pair.score, pair.matched)
        assert pair.regions_a and pair.regions_b


def test_identical_stubs_and_the_lessons_code_are_boilerplate_not_copying(root):
    settings = load_settings()
    for exercise in EXERCISES:
        stub = (root / "exercises" / exercise.filename).read_text()
        named = {"stub_only_1": stub, "stub_only_2": stub}
        lesson = (root / "docs" / exercise.lesson).read_text()
        lesson_code = "\n\n".join(lesson_code_blocks(lesson))
        named |= {"lesson_1": stub + "\n" + lesson_code, "lesson_2": stub + "\n" + lesson_code}
        pairs = compare_exercise(exercise.id, _answers(exercise, named), boilerplate_texts(exercise), settings)
        assert not [p for p in pairs if p.flagged or p.score > 0], (exercise.id, pairs)
    # ... and without the boilerplate the very same files would be flagged: the exclusion does the work
    stub = (root / "exercises" / "04_sequential.py").read_text()
    lesson_code = "\n".join(lesson_code_blocks((root / "docs" / EXERCISES[3].lesson).read_text()))
    [pair] = compare_exercise("04", _answers(EXERCISES[3], {"a": stub + lesson_code, "b": stub + lesson_code}), [], settings)
    assert pair.flagged and pair.score == 1


def test_the_lessons_code_blocks_are_found_inside_tabs_and_admonitions(root):
    blocks = lesson_code_blocks((root / "docs" / "lessons" / "04-the-sequential-model.md").read_text())
    assert len(blocks) >= 3
    assert blocks[0].startswith("import keras\n") and "keras.layers.Dense(128" in blocks[0]
    assert all(not block.startswith(" ") for block in blocks)


# --- a class on disk, through `course similarity` ---------------------------------------------------------

def run_course(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "COURSE_DATASET": "mnist5k"}
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], capture_output=True, text=True, env=env,
                          timeout=timeout)


def make_similarity_class(root: Path, target: Path) -> Path:
    """alice: the reference solutions; bob: alice's, disguised (plus a hostile string in exercise 1);
    variant_N: the N-th independently written correct answer of each exercise; stub_1/2: the stubs;
    lesson_1/2: exercise 4 written exactly as its lesson writes it; a folder whose name is not an id."""
    target.mkdir(parents=True)
    for exercise in EXERCISES:
        solution = (root / "solutions" / exercise.filename).read_text()
        disguised = renamed_and_reordered(solution) + (HOSTILE_CODE if exercise.id == "01" else "")
        for student, text in (("alice", solution), ("bob", disguised)):
            (target / student).mkdir(exist_ok=True)
            (target / student / exercise.filename).write_text(text)
        for number, path in enumerate(correct_answers(exercise)[:4]):
            (target / f"variant_{number}").mkdir(exist_ok=True)
            shutil.copy(path, target / f"variant_{number}" / exercise.filename)
        for student in ("stub_1", "stub_2"):
            (target / student).mkdir(exist_ok=True)
            shutil.copy(root / "exercises" / exercise.filename, target / student / exercise.filename)
    lesson_code = lesson_code_blocks((root / "docs" / EXERCISES[3].lesson).read_text())[0]
    for student in ("lesson_1", "lesson_2"):
        (target / student).mkdir()
        stub = (root / "exercises" / "04_sequential.py").read_text()
        (target / student / "04_sequential.py").write_text(stub.replace("    raise NotImplementedError\n", "")
                                                           + "\n" + lesson_code)
    (target / HOSTILE_FOLDER).mkdir()
    shutil.copy(root / "solutions" / "01_flatten.py", target / HOSTILE_FOLDER / "01_flatten.py")
    return target


@pytest.fixture(scope="module")
def similarity_out(root, tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("similarity")
    submissions = make_similarity_class(root, work / "class")
    proc = run_course("similarity", str(submissions), "--out", str(work / "out"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    (work / "out" / "stdout.txt").write_text(proc.stdout)
    return work / "out"


def _rows(out: Path) -> list[dict[str, str]]:
    return list(csv.DictReader((out / "similarity.csv").open(encoding="utf-8")))


def test_the_copier_is_flagged_on_every_exercise_and_nobody_else_is(similarity_out):
    rows = _rows(similarity_out)
    flagged = {(r["exercise"], r["student_a"], r["student_b"]) for r in rows if r["flagged"] == "true"}
    assert flagged == {(e.filename.removesuffix(".py"), "alice", "bob") for e in EXERCISES}
    stub_pairs = [r for r in rows if (r["student_a"], r["student_b"]) == ("stub_1", "stub_2")]
    assert len(stub_pairs) == len(EXERCISES) and all(float(r["score"]) == 0 for r in stub_pairs)
    [lesson_pair] = [r for r in rows if (r["student_a"], r["student_b"]) == ("lesson_1", "lesson_2")]
    assert lesson_pair["flagged"] == "false" and float(lesson_pair["score"]) == 0
    stdout = (similarity_out / "stdout.txt").read_text()
    assert f"{len(EXERCISES)} flagged" in stdout and "alice and bob" in stdout


def test_the_csv_lists_every_pair_of_every_exercise_with_a_per_exercise_score(similarity_out):
    rows = _rows(similarity_out)
    assert list(rows[0]) == COLUMNS
    students_per_exercise = {e.filename.removesuffix(".py"): 8 for e in EXERCISES}  # alice bob variant_0-3 stub_1-2
    students_per_exercise["04_sequential"] += 2  # lesson_1, lesson_2
    for label, count in students_per_exercise.items():
        pairs = [r for r in rows if r["exercise"] == label]
        assert len(pairs) == count * (count - 1) // 2, label
        assert all(r["student_a"] < r["student_b"] and 0 <= float(r["score"]) <= 1 for r in pairs)


def test_the_same_class_gives_the_same_report_whatever_the_string_hash_seed(similarity_out, tmp_path):
    """copydetect hashes k-grams with Python's `hash()`, salted per process; with a window of 1 every
    k-gram is kept, so the salt cannot change which ones match."""
    submissions = similarity_out.parent / "class"
    env = {**os.environ, "COURSE_DATASET": "mnist5k", "PYTHONHASHSEED": "12345"}
    proc = subprocess.run([sys.executable, "-m", "grader.cli", "similarity", str(submissions), "--out", str(tmp_path)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name in ("similarity.csv", "similarity.html"):
        assert (tmp_path / name).read_text() == (similarity_out / name).read_text(), name


def test_a_folder_whose_name_is_no_student_id_is_listed_and_compared_with_nobody(similarity_out):
    assert not [r for r in _rows(similarity_out) if HOSTILE_FOLDER in (r["student_a"], r["student_b"])]
    page = (similarity_out / "similarity.html").read_text()
    assert HOSTILE_FOLDER not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_the_report_escapes_hostile_ids_and_code_and_the_csv_never_holds_a_formula(tmp_path):
    ids = ['=HYPERLINK("http://attacker.example","x")', "<script>alert('id')</script>"]
    code = {("01", ids[0]): "x = 1\n" + HOSTILE_CODE, ("01", ids[1]): "</script>\n" + HOSTILE_CODE}
    pair = PairScore("01", ids[0], ids[1], 0.9, 0.9, 0.8, 60, True, (Region(0, 12),), (Region(0, 9), Region(3, 20)))
    report = SimilarityReport(ids, {"01": "01_flatten"}, [pair], [], code, load_settings())
    write_similarity_csv(tmp_path, report)
    row = next(csv.DictReader((tmp_path / "similarity.csv").open(encoding="utf-8")))
    assert row["student_a"] == "'" + ids[0] and row["student_b"] == ids[1]
    page = write_similarity_html(tmp_path, report).read_text()
    assert "<script" not in page and "</script>" not in page and "<b>bold" not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in page and "&lt;script&gt;alert(&#x27;id&#x27;)" in page
    assert page.count(f'<mark class="{MATCH_CLASS}">') == 2  # the two overlapping regions of b are one


def _browser():
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.fail("Debian's chromium is not installed; `make test` installs it")
    from playwright.sync_api import sync_playwright

    return chromium, sync_playwright


def test_the_report_opens_offline_in_a_real_browser_with_the_pair_side_by_side(similarity_out):
    chromium, sync_playwright = _browser()
    requests, errors = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        try:
            page = browser.new_page()
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("dialog", lambda dialog: errors.append(f"a dialog opened: {dialog.message}"))

            def refuse_network(route):
                if not route.request.url.startswith("file://"):
                    requests.append(route.request.url)
                    route.abort()
                else:
                    route.continue_()

            page.route("**/*", refuse_network)
            page.goto((similarity_out / "similarity.html").as_uri())
            page.wait_for_load_state("load")
            pairs = page.locator("section.pair")
            assert pairs.count() == len(EXERCISES)
            first = pairs.first
            assert "alice" in first.locator("h2").inner_text() and "bob" in first.locator("h2").inner_text()
            sides = first.locator(".side")
            assert sides.count() == 2
            left, right = sides.nth(0).bounding_box(), sides.nth(1).bounding_box()
            assert left and right and right["x"] > left["x"] + left["width"] - 1  # side by side
            marks = first.locator(f"mark.{MATCH_CLASS}")
            assert marks.count() >= 1 and marks.first.is_visible()
            assert sides.nth(1).locator(f"mark.{MATCH_CLASS}").count() >= 1
            assert "</script><script>alert(1)</script>" in first.inner_text()  # shown as text, never run
            assert page.locator("script").count() == 0
            assert HOSTILE_FOLDER in page.locator("body").inner_text()
            page.close()
        finally:
            browser.close()
    assert not requests, requests
    assert not errors, errors


# --- bad input ----------------------------------------------------------------------------------------

def test_bad_files_are_listed_with_a_reason_and_good_ones_still_compared(root, tmp_path):
    target = tmp_path / "class"
    solution = (root / "solutions" / "04_sequential.py").read_text()
    files = {
        "alice/04_sequential.py": solution,
        "empty/04_sequential.py": "",
        "blank/04_sequential.py": "\n   \n",
        "junk/04_sequential.py": b"\x00\xff\xfe binary \x00\x89PNG",
        "latin1/04_sequential.py": "x = 'caf\xe9'\n".encode("latin-1"),
        "huge/04_sequential.py": "x = 1\n" * (MAX_COMPARED_BYTES // 6 + 10),
        # copies padded past MAX_COMPARED_BYTES with comments, or with a long string: still compared
        "commented/04_sequential.py": solution + "# padding\n" * (MAX_COMPARED_BYTES // 10 + 10),
        "stringed/04_sequential.py": solution + 'PAD = """' + "padding\n" * (MAX_COMPARED_BYTES // 8 + 10) + '"""\n',
        "nothing/notes.txt": "I did not do the exercises",
        "badnb/04_sequential.ipynb": "{ this is not json",
    }
    for name, content in files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(renamed_and_reordered(solution))])
    (target / "notebook").mkdir()
    nbformat.write(notebook, target / "notebook" / "04_sequential.ipynb")
    plotted = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(solution, outputs=[nbformat.v4.new_output(
        "display_data", data={"image/png": "iVBORw0KGgo" * (MAX_COMPARED_BYTES // 5)})])])
    (target / "plotted").mkdir()  # a notebook made large by its outputs: its code is what counts
    nbformat.write(plotted, target / "plotted" / "04_sequential.ipynb")
    assert (target / "plotted" / "04_sequential.ipynb").stat().st_size > 2 * MAX_COMPARED_BYTES
    with zipfile.ZipFile(target / "zipped.zip", "w") as archive:
        archive.writestr("work/04_sequential.py", solution)
    (target / "broken.zip").write_bytes(b"PK\x03\x04 not really a zip")
    proc = run_course("similarity", str(target), "--out", str(tmp_path / "out"), "-e", "4")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    output = " ".join(proc.stdout.split())
    for student, reason in (("empty", "the file is empty"), ("blank", "the file is empty"),
                            ("junk", "not text (it holds binary data)"), ("latin1", "not UTF-8 text"),
                            ("huge", f"code over {MAX_COMPARED_BYTES:,} bytes is not compared"),
                            ("nothing", "no exercise files found"), ("badnb", "not a valid Jupyter notebook"),
                            ("broken", "archive rejected")):
        assert f"{student} (" in output and reason in output, (student, reason, output)
    flagged = {(r["student_a"], r["student_b"]) for r in _rows(tmp_path / "out") if r["flagged"] == "true"}
    copies = ["alice", "commented", "notebook", "plotted", "stringed", "zipped"]
    assert flagged == set(itertools.combinations(copies, 2))
    page = (tmp_path / "out" / "similarity.html").read_text()
    assert "Not compared" in page and "the file is empty" in page


def test_a_single_student_gets_a_clear_message_and_empty_reports(root, tmp_path):
    student = tmp_path / "alice"
    student.mkdir()
    shutil.copy(root / "solutions" / "01_flatten.py", student / "01_flatten.py")
    proc = run_course("similarity", str(tmp_path), "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "only one student (alice): there is nothing to compare" in proc.stdout
    assert (tmp_path / "out" / "similarity.csv").read_text().strip() == ",".join(COLUMNS)
    assert "No pair reached the threshold" in (tmp_path / "out" / "similarity.html").read_text()


def test_no_submissions_or_a_missing_folder_is_a_clear_error(tmp_path):
    (tmp_path / "empty").mkdir()
    proc = run_course("similarity", str(tmp_path / "empty"), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2 and "no submissions found" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_course("similarity", str(tmp_path / "missing"), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2 and "no such folder or archive" in proc.stderr and "Traceback" not in proc.stderr


def test_forty_students_and_twelve_exercises_take_a_few_seconds_of_cpu(root):
    """The cost grows with the pairs: 100 students x 12 exercises (59,400 pairs) took ~13 s of CPU when
    measured; here 40 students (9,360 pairs, ~2 s) keep the suite fast. CPU time, because the shared
    machine's load is not ours."""
    import random
    import time

    from grader.similarity.collect import ClassCode
    from grader.similarity.detect import compare_class

    rng = random.Random(0)
    found = ClassCode(students=[f"s{n:03d}" for n in range(40)])
    for exercise in EXERCISES:
        sources = [p.read_text() for p in correct_answers(exercise)] + [(root / "solutions" / exercise.filename).read_text()]
        found.code[exercise.id] = [StudentCode(s, exercise.id, rng.choice(sources) + f"\nSEED_{n} = {rng.random()}\n")
                                   for n, s in enumerate(found.students)]
    start = time.process_time()
    report = compare_class(found, list(EXERCISES), load_settings(), boilerplate_texts)
    elapsed = time.process_time() - start
    assert len(report.pairs) == 12 * 40 * 39 // 2
    assert elapsed < 15, elapsed


# --- course grade --similarity -------------------------------------------------------------------------

def test_grading_with_similarity_flags_the_copy_and_changes_no_grade(root, tmp_path):
    submissions = tmp_path / "class"
    solution = (root / "solutions" / "01_flatten.py").read_text()
    for student, text in (("alice", solution), ("bob", renamed_and_reordered(solution)),
                          ("carol", (root / "exercises" / "01_flatten.py").read_text())):
        (submissions / student).mkdir(parents=True)
        (submissions / student / "01_flatten.py").write_text(text)
    plain, with_similarity = tmp_path / "plain", tmp_path / "with_similarity"
    first = run_course("grade", str(submissions), "--out", str(plain), "-e", "1", "-w", "1")
    assert first.returncode == 0, first.stdout + first.stderr
    second = run_course("grade", str(submissions), "--out", str(with_similarity), "-e", "1", "-w", "1", "--similarity")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "similarity.html" in second.stdout
    grades = (plain / "grades.csv").read_text()
    assert (with_similarity / "grades.csv").read_text() == grades
    totals = {r["student"]: r["total"] for r in csv.DictReader(io.StringIO(grades))}
    assert float(totals["alice"]) == float(totals["bob"]) > 0 == float(totals["carol"])  # the copy keeps its points
    assert not (plain / "similarity.csv").exists()
    flagged = [(r["student_a"], r["student_b"]) for r in _rows(with_similarity) if r["flagged"] == "true"]
    assert flagged == [("alice", "bob")]
    assert (with_similarity / "similarity.html").is_file()
