"""Terraform HCL: ``.tf`` files, one directory = one module (see builder)."""
