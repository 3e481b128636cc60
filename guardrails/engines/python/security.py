"""Python twins of the security policies (see policies/security/)."""

from __future__ import annotations
