"""keras-course grader: checks library, pytest plugin, learner CLI and instructor tools."""

from grader.quiet import silence_tensorflow

silence_tensorflow()

__version__ = "0.1.0"
