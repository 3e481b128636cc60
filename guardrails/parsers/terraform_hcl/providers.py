"""AWS provider ``default_tags``: read from the root module's provider blocks, passed to module
calls (``providers = { aws = aws.west }``) and merged into ``tags_all`` as the provider plans it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from guardrails.parsers.ids import KNOWN_TAGGABLE
from guardrails.parsers.terraform_hcl.adapter.documents import (
    attributes,
    first_block,
    reference_text,
    unquote,
)
from guardrails.parsers.terraform_hcl.module import ModuleSource
from guardrails.parsers.terraform_hcl.scope import Scope
from guardrails.parsers.terraform_hcl.unknown import UNKNOWN, Unknown, unknown_of
from guardrails.parsers.terraform_hcl.values import evaluate

#: AWS types whose tags the provider's default_tags do not reach (their own ``tag`` blocks).
_NO_DEFAULT_TAGS = {"aws_autoscaling_group"}


class DefaultTags:
    """The AWS provider configurations of one root module and the module instances using them."""

    def __init__(self) -> None:
        #: AWS provider configuration ("aws", "aws.west") -> its default_tags (Unknown when
        #: an expression known only after apply).
        self.tags: dict[str, Any] = {}
        #: Module instance address -> its provider names -> root configurations.
        self.provider_maps: dict[str, dict[str, str]] = {}

    def read(self, module: ModuleSource, scope: Scope) -> None:
        """The root module's ``provider "aws"`` blocks: their literal ``default_tags``."""
        for _, (name,), body in module.blocks("provider", 1):
            if name != "aws":
                continue
            alias = evaluate(body.get("alias"), scope)
            key = f"aws.{alias}" if isinstance(alias, str) else "aws"
            block = first_block(body.get("default_tags"))
            block = {} if block is None else block
            tags = evaluate(block.get("tags"), scope) if isinstance(block, Mapping) else UNKNOWN
            self.tags[key] = tags if tags is not None else {}

    def child_providers(self, body: Mapping[str, Any], prefix: str) -> dict[str, str]:
        """A module call's provider names -> root configurations: the default ``aws`` is
        inherited, ``providers = { aws = aws.west }`` passes another one."""
        parent = self.provider_maps.get(prefix, {})
        child = {"aws": parent.get("aws", "aws")}
        passed = body.get("providers")
        for item in passed if isinstance(passed, list) else [passed]:
            for key, value in attributes(item).items() if isinstance(item, Mapping) else ():
                ref = reference_text(value)
                if ref:
                    child[unquote(str(key))] = parent.get(ref, ref)
        return child

    def with_default_tags(
        self, rtype: str, body: Mapping[str, Any], values: dict[str, Any], prefix: str
    ) -> dict[str, Any]:
        """``tags_all``, as the AWS provider plans it: its ``default_tags`` under ``tags``."""
        if rtype in _NO_DEFAULT_TAGS or ("tags" not in values and rtype not in KNOWN_TAGGABLE):
            return values
        local = reference_text(body.get("provider")) or "aws"
        config = self.provider_maps.get(prefix, {}).get(local, local)
        defaults = self.tags.get(config, {})
        tags = values.get("tags")
        if not defaults:
            return values  # without default_tags, tags_all is tags
        if isinstance(defaults, Unknown) or isinstance(tags, Unknown):
            return {**values, "tags_all": unknown_of(defaults, tags)}
        if not isinstance(defaults, dict) or not isinstance(tags, dict | None):
            return values
        return {**values, "tags_all": {**defaults, **(tags or {})}}
