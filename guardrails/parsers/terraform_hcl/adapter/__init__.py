"""What knows python-hcl2."""
