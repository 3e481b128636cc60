"""Python twins of the tagging policies (see policies/tagging/)."""

from __future__ import annotations
