"""`python -m grader` is `course`."""

from grader.cli import main

main()
