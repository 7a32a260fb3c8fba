"""Hidden checks: they count for points; learners see only "hidden check N: passed/failed"."""
