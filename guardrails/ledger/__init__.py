"""The ledger: each finding of a change as new, fixed, unchanged or escalated against a base."""

from guardrails.ledger.classify import Change, Ledger, LedgerEntry, Observed, classify, observe

__all__ = [
    "Change",
    "Ledger",
    "LedgerEntry",
    "Observed",
    "classify",
    "observe",
]
