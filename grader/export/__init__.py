"""Exports, the course and its grades in other tools' forms: nbgrader source notebooks, learner
notebooks, the Gradescope autograder bundle, and the gradebook formats (CSV, JSON, feedback,
Gradescope results, Canvas, Moodle, the class report) behind one registry of writers (grader.export.gradebook.WRITERS)."""
