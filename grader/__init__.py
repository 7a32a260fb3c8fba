"""keras-course grader: checks library, pytest plugin, learner CLI and instructor tools."""

from grader.lean_imports import leave_out_iri_grammar
from grader.quiet import silence_tensorflow

silence_tensorflow()
leave_out_iri_grammar()

__version__ = "0.1.0"
