"""Helpers shared by the tests and the benchmarks: seeded input generators, the pre-commit and
Action environments built from a wheelhouse, and the webhook server process.

Not part of the installed package; importable from the repository root (pytest's
``pythonpath`` and ``python -m benchmarks.…`` both put it on the path).
"""
