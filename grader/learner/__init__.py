"""Learner commands (list, check, hint, reset, watch, notebooks, submit) as plain Python;
`grader.learner.cli` puts them on the `course` command line."""
