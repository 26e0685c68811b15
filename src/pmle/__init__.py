"""Graded, offline labs for machine-learning engineers: shared helpers for notebooks and graders."""

__version__ = "0.1.0"
