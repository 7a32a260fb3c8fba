"""The gradebook's formats are writers in one registry: each writes its files from the records, and a
new format is one function and one line in `WRITERS`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from grader.export import gradebook
from grader.grade.grade import failed_record
from grader.grade.intake import StudentSubmission
from grader.manifest import load_course


def test_a_writer_registered_in_one_line_is_written_with_every_other_format(tmp_path, monkeypatch):
    course = load_course()
    exercises = [course.find("01"), course.find("04")]
    record = failed_record(StudentSubmission("=alice", Path("alice"), {}, []), exercises, "boom")

    def write_names(out: Path, records: list[dict], book: gradebook.Gradebook) -> Path:
        path = out / "names.txt"
        path.write_text("\n".join(r["student"] for r in records) + f"\n{book.course.title}\n")
        return path

    monkeypatch.setitem(gradebook.WRITERS, "names.txt", write_names)
    book = gradebook.Gradebook(course, {"description": "a test dataset"}, {"namespaces": False}, ["bad.json"])
    written = gradebook.write_gradebook(tmp_path, [record], book)

    assert [p.relative_to(tmp_path).as_posix() for p in written] == \
        ["grades.csv", "grades.json", "feedback", "gradescope", "canvas.csv", "moodle.csv", "report.html", "names.txt"]
    assert (tmp_path / "names.txt").read_text() == f"=alice\n{course.title}\n"
    rows = list(csv.reader((tmp_path / "grades.csv").open()))
    assert rows[0] == ["student", "01_flatten", "04_sequential", "total", "max_total", "status"]
    assert rows[1][0] == "'=alice" and rows[1][-1] == "grader error"  # no spreadsheet formula
    grades = json.loads((tmp_path / "grades.json").read_text())
    assert grades["unverified_records"] == ["bad.json"] and grades["isolation"] == {"namespaces": False}
    name = next((tmp_path / "feedback").glob("*.md")).stem
    assert "boom" in (tmp_path / "feedback" / f"{name}.md").read_text()
    results = json.loads((tmp_path / "gradescope" / name / "results.json").read_text())
    assert results["score"] == 0 and {t["status"] for t in results["tests"]} == {"failed"}
