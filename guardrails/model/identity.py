"""A finding's stable identity: what it is about, not where it is written.

identity = policy id + resource identity + subject, where

- the resource identity is its address as the input names it: the Terraform address
  (``module.gpu.aws_instance.trainer[0]``), the Pulumi URN, the Kubernetes
  ``Kind/namespace/name`` (``change`` for findings about the change as a whole). It holds no
  file path and nothing of the working directory, so moving a file or scanning from elsewhere
  keeps it;
- the subject is the sub-object the finding is about as its message names it (a container
  name, a tag key, an attribute path) with the figures masked: costs, counts and durations
  change when a finding gets worse, and a worse finding is the same finding (escalated).

Two findings of one run may still share an identity (two Terraform roots in one repository
that both declare ``aws_instance.gpu``); their fingerprints then add the repository-relative
file (see :func:`fingerprints`), and the ledger pairs them by file first.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from guardrails.lazy_regex import LazyPattern

if TYPE_CHECKING:
    from guardrails.model.finding import Finding

IDENTITY_VERSION = "guardrails/v2"
#: A figure standing on its own: ``$11,797``, ``8``, ``1.01``, ``10080``, ``+$63,359``, ``50%``
#: (digits inside a name such as ``gpu-1`` or ``p4d.24xlarge`` are part of the name).
#: The lookahead lets the regex engine skip to a figure's first character instead of trying
#: the lookbehind at every position (a third less time, same matches).
_FIGURE = LazyPattern(r"(?=[-+$\d])(?<![\w.-])[+-]?\$?\d[\d,]*(?:\.\d+)?[kKMG%]?(?![\w-])")
_DIGIT = LazyPattern(r"\d")


def subject(message: str) -> str:
    """The message with its figures masked: what it is about, not how much."""
    text = " ".join(message.split())
    # Most messages hold no figure at all; one search is cheaper than a substitution pass.
    return _FIGURE.sub("#", text) if _DIGIT.search(text) else text


def identity(finding: Finding) -> str:
    """The 32-hex-digit identity hash (``Finding.fingerprint``, computed once per finding)."""
    return finding.fingerprint


def identity_of(policy: str, resource: str, message: str) -> str:
    """The identity hash of a finding given by its parts."""
    key = f"{IDENTITY_VERSION}\x1f{policy}\x1f{resource}\x1f{subject(message)}"
    # surrogatepass: a name that is not UTF-8 still hashes (to the same value every run).
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def fingerprints(findings: Iterable[Finding]) -> dict[Finding, str]:
    """Each finding's fingerprint: its identity, with the repository-relative file added for
    findings that share an identity with another finding of the same run."""
    items = list(findings)
    return dict(zip(items, fingerprint_list(items), strict=True))


def fingerprint_list(findings: Sequence[Finding]) -> list[str]:
    """:func:`fingerprints` in the order of ``findings`` (reports that walk the findings in
    order need no look-up by finding, which hashes every field)."""
    idents = [f.fingerprint for f in findings]
    shared = Counter(idents)
    if len(shared) == len(idents):  # the usual case: no identity is shared
        return idents
    out = []
    for f, ident in zip(findings, idents, strict=True):
        if shared[ident] > 1:
            key = f"{ident}\x1f{f.repo_path or (f.location.file if f.location else '')}"
            ident = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        out.append(ident)
    return out
