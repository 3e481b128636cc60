"""The one adapter over python-hcl2: nothing else in terraform_hcl imports it or knows its shapes.

- :mod:`.documents`: how python-hcl2 renders a file (block lists, quoted labels, ``${...}``
  expression text, quoted heredocs, metadata keys).
- :mod:`.trees`: its Lark expression trees, read through views named in HCL's terms.
- :mod:`.guard`: the bounds python-hcl2 needs (file size, heredoc length, error text).

tests/parsers/test_hcl2_adapter.py pins every grammar rule, token and shape relied on here, so a
python-hcl2 upgrade that changes one fails that test with the name of what changed.
"""
