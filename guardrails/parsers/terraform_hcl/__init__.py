"""Terraform HCL (``.tf`` files, one directory = one module) into the resource graph.

Evaluated the way ``terraform plan`` would where values are literal: variables take their
``terraform.tfvars`` / ``*.auto.tfvars`` / ``--var-file`` value or default, locals and the
common functions evaluate (expressions.py, functions.py), literal ``count``/``for_each`` give
one resource per instance with a plan's address (``aws_instance.gpu[0]``, ``module.eks.
aws_eks_node_group.this["gpu"]``), and module calls are expanded: local sources from their
directory, registry and git sources from ``.terraform/modules/modules.json`` after ``terraform
init``, the call's arguments bound to the module's variables. A module that cannot be expanded
stays a ``module`` node marked ``unevaluated`` (GR-INPUT-001 reports it); an expression that
needs a value known only after apply is in the resource's ``unknown`` paths.

Rooms: ``adapter/`` is the only code that knows python-hcl2 (its documents, its expression
trees, its bounds); ``parser`` reads directories, ``module`` holds a directory's parsed files,
``builder`` evaluates a root module (``instances``, ``providers``, ``variables``, ``nodes``),
``values``/``expressions``/``functions``/``primitives`` evaluate values, ``type_constraints``
applies variable types, ``budget`` bounds the work, ``unknown`` is what is known only after apply.
"""

from guardrails.parsers.terraform_hcl.parser import TerraformHclParser

__all__ = ["TerraformHclParser"]
