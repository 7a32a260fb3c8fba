"""Exports of the course to other forms: nbgrader source notebooks, learner notebooks; the class report."""
