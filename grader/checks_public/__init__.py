"""Public checks: learners see their source and messages."""
