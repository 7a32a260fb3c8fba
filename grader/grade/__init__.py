"""Instructor batch grading: isolated workers, gradebook, feedback, Gradescope export, release."""
