"""Python twins of the spot policies (see policies/spot/)."""

from __future__ import annotations
