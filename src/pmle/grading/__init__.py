"""Grading: verdicts, `pmle check` and `pmle grade` with its sandbox, trusted side and wire."""
