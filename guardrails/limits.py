"""Limits on what one scan reads, shared by the parsers and the command line (no imports)."""

from __future__ import annotations

#: Largest input file read by default (``--max-size-mb``).
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
#: Most ``--max-size-mb`` may ask for: inputs are held in memory several times over.
MAX_LIMIT_BYTES = 4 * 1024 * 1024 * 1024
#: Default resource-count limit (``--max-resources``): the graph, the policy input and the
#: findings hold every resource at once (~20 KB each; the Rego engines add only a bounded batch,
#: benchmarks/results/hostile.md).
DEFAULT_MAX_RESOURCES = 20_000
#: Findings the table shows per policy unless ``--all`` (its summary counts them all).
TABLE_DETAILS_PER_POLICY = 10
