"""Learner commands (list, check, hint, reset, watch) as plain Python; `grader.cli` wraps them."""
