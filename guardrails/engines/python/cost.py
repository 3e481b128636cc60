"""Python twins of the cost policies (see policies/cost/)."""

from __future__ import annotations
