"""The bundled Rego policy library (installed as guardrails._policies)."""
