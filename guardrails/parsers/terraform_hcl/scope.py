"""What names mean where an expression is written: one module instance's variables, locals,
``each``/``count``, module outputs and the resources it may read."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from guardrails.parsers.terraform_hcl.unknown import UNKNOWN


@dataclass
class Scope:
    """What names mean where an expression is written (one module instance)."""

    variables: Mapping[str, Any] = field(default_factory=dict)
    #: Local name -> its value, or a zero-argument callable evaluating it on first use.
    locals: Callable[[str], Any] = field(default=lambda name: UNKNOWN)
    #: ``module.a.module.b`` prefix of addresses written in this module ("" at the root).
    prefix: str = ""
    each: tuple[Any, Any] | None = None
    count_index: int | None = None
    path_module: str = "."
    #: Module call name -> its outputs (a map; a list or map of them with count/for_each),
    #: or None when the module was not expanded.
    modules: Callable[[str], Any] = field(default=lambda name: None)
    #: Names bound around an expression: a ``dynamic`` block's iterator.
    bound: Mapping[str, Any] = field(default_factory=dict)
    #: ``(type, name)`` of a managed resource in this module -> its instances' attributes as
    #: configured (a map; a list with count, a map by key with for_each), None when unknown.
    resources: Callable[[str, str], Any] = field(default=lambda rtype, name: None)
    #: Addresses of the resources, data sources and modules the expressions read (edges).
    refs: set[str] = field(default_factory=set)
    #: ``path.cwd``: where ``terraform`` runs, the root module's directory, relative to the
    #: scan root (never the runner's absolute path: it would reach reports).
    path_cwd: str = "."
    #: ``path.module`` as Terraform gives it: relative to the root module (``path_module`` is
    #: where the files are read from).
    path_module_shown: str = "."

    def with_instance(self, each: tuple[Any, Any] | None, count_index: int | None) -> Scope:
        """This scope for one instance, recording what it reads in a set of its own."""
        return Scope(
            self.variables,
            self.locals,
            self.prefix,
            each,
            count_index,
            self.path_module,
            self.modules,
            self.bound,
            self.resources,
            path_cwd=self.path_cwd,
            path_module_shown=self.path_module_shown,
        )

    def with_bound(self, name: str, value: Any) -> Scope:
        """This scope with ``name`` bound to ``value`` (a dynamic block's iterator)."""
        scope = self.with_instance(self.each, self.count_index)
        scope.bound = {**self.bound, name: value}
        scope.refs = self.refs  # still the same expression's reads
        return scope

    def address(self, local_address: str) -> str:
        """``local_address`` as written in this module, prefixed with the module's address."""
        return f"{self.prefix}.{local_address}" if self.prefix else local_address
