"""Batch grading (`course grade`): intake of a class's submissions, the sandbox and process pool, the
probes answered in confined processes and challenged, trusted verification, signed resumable
records, and grading on a Dask cluster. The gradebook's files are written by grader.export."""
