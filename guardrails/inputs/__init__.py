"""Safe reading of untrusted input: bounded bytes, depth and time, root confinement, redaction.

A lower room than the parsers: catalog, config, waivers, the webhook and the parsers read
files through it, and it imports only the model and the error types.
"""
