"""Authoring tools: everything that is generated from `solutions/` (stubs, and later exports)."""
