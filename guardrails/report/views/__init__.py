"""Cost views (``guardrails cost``, ``guardrails budgets``): the GPU spend of a scan per resource,
per budget pool and against each pool's provable worst case.

The check report formats (table, JSON, SARIF, JUnit, GitHub, Markdown) live one level up in
``guardrails.report``; they render findings and borrow only the change totals from here.
"""
