"""The Kubernetes validating admission webhook: review.py judges, server.py serves HTTPS."""
