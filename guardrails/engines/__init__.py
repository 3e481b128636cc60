"""Policy engines: embedded Rego, remote OPA and the pure-Python evaluator."""
