"""Tools for writing policies: the ``guardrails test`` harness (Rego unit tests and verdict
cases on every engine), ``policies new`` (a policy with its tests) and ``policies lint``."""
