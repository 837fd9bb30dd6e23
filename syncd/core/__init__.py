"""The functional core of syncd: pure functions from values to a Plan (no I/O)."""
