"""guardrails: policy-as-code guardrails for AI cloud infrastructure."""

__version__ = "0.2.0"
