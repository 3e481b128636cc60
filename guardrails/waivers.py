"""Waivers: time-boxed, owned exceptions from .guardrails.yaml and inline comments.

A waived finding stays in the report (marked waived, with its reason) but does not fail the
run. An expired waiver no longer applies and produces a warning; a waiver that matched nothing
is reported as unused, so exceptions are audited in one place (``guardrails waivers list``).
"""

from __future__ import annotations

import fnmatch
import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from guardrails.errors import ConfigError
from guardrails.inputs.safe_io import read_side_file
from guardrails.model import Finding, Graph

INLINE = re.compile(r"#\s*guardrails:ignore\s+(?P<body>.*)$")
_MARKER = "guardrails:ignore"
#: A Kubernetes object's own waivers: one ``ID reason="..." expires=YYYY-MM-DD`` per line.
ANNOTATION = "guardrails.dev/ignore"


class WaiverStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    UNUSED = "unused"


@dataclass(frozen=True)
class Waiver:
    """One exception: which findings it covers, why, who owns it and until when."""

    policy: str
    resource: str
    reason: str
    owner: str
    expires: date
    origin: str
    file: str | None = None
    environment: str | None = None
    ticket: str | None = None
    #: The waiver names one address (an inline comment or annotation), not a pattern.
    literal: bool = False

    def expired(self, today: date) -> bool:
        return self.expires < today

    def matches(self, finding: Finding, environment: str | None) -> bool:
        if self.policy not in ("*", finding.policy):
            return False
        if self.literal:
            if finding.resource != self.resource:
                return False
        elif not address_matches(finding.resource, self.resource):
            return False
        if self.file is not None:
            where = finding.location.file if finding.location else ""
            if not (
                fnmatch.fnmatchcase(where, self.file)
                or fnmatch.fnmatchcase(Path(where).as_posix(), f"*/{self.file}")
            ):
                return False
        return self.environment is None or self.environment == environment

    def record(self) -> dict[str, Any]:
        """What a baseline keeps of the waiver: its scope and expiry (not where it is written:
        moving it, or editing lines above it, does not make it new)."""
        return {
            "policy": self.policy,
            "resource": self.resource,
            "file": self.file,
            "environment": self.environment,
            "expires": self.expires.isoformat(),
        }

    def describe(self) -> str:
        ticket = f", ticket {self.ticket}" if self.ticket else ""
        where = f"{self.origin}; owner {self.owner}, expires {self.expires}{ticket}"
        return f"{self.policy} on {self.resource} ({where})"


def address_matches(address: str, pattern: str) -> bool:
    """``*`` in ``pattern`` matches any run of characters; everything else matches literally,
    so ``aws_instance.gpu[0]`` and ``module.x.y["key"]`` name themselves (with fnmatch, ``[0]``
    was a character class and matched ``gpu0``, never ``gpu[0]``).

    Each literal part is found leftmost in turn, which is exact for ``*``-only globs and takes
    linear time however many ``*`` a pull request writes (a regex could backtrack).
    """
    parts = pattern.split("*")
    if len(parts) == 1:
        return address == pattern
    first, *middle, last = parts
    if len(address) < len(first) + len(last):
        return False
    if not (address.startswith(first) and address.endswith(last)):
        return False
    position, end = len(first), len(address) - len(last)
    for part in middle:
        found = address.find(part, position, end)
        if found < 0:
            return False
        position = found + len(part)
    return True


@dataclass(frozen=True)
class WaiverResult:
    """Findings with waivers applied, plus the audit of every waiver."""

    findings: tuple[Finding, ...]
    statuses: tuple[tuple[Waiver, WaiverStatus, int], ...]
    warnings: tuple[str, ...]


def _parse_date(value: Any, origin: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{origin}: waiver expires is not a date (YYYY-MM-DD)") from None


def _checked(waiver: Waiver, today: date, max_days: int) -> Waiver:
    if waiver.expires > today + timedelta(days=max_days):
        raise ConfigError(
            f"{waiver.origin}: waiver for {waiver.policy} expires {waiver.expires}, more than "
            f"{max_days} days ahead (waiver_max_days)"
        )
    return waiver


def config_waivers(config: Mapping[str, Any], origin: str, today: date) -> list[Waiver]:
    """Waivers from the ``waivers`` list of the config (already schema-validated)."""
    max_days = int(config.get("waiver_max_days", 180))
    out = []
    for i, item in enumerate(config.get("waivers") or []):
        where = f"{origin}: waivers[{i}]"
        waiver = Waiver(
            policy=str(item["policy"]),
            resource=str(item["resource"]),
            reason=str(item["reason"]),
            owner=str(item["owner"]),
            expires=_parse_date(item["expires"], where),
            origin=where,
            file=item.get("file"),
            environment=item.get("environment"),
            ticket=item.get("ticket"),
        )
        out.append(_checked(waiver, today, max_days))
    return out


def inline_waivers(graph: Graph, today: date, max_days: int) -> list[Waiver]:
    """``# guardrails:ignore ID reason="..." expires=YYYY-MM-DD`` on or just above a resource.

    Read from the HCL and YAML files resources were located in; the comment must be on the
    resource's first line or in the comment lines directly above it.
    """
    by_file: dict[str, list[tuple[int, str]]] = {}
    for r in graph.resources:
        if r.location and r.location.line and r.location.file.endswith((".tf", ".yaml", ".yml")):
            by_file.setdefault(r.location.file, []).append((r.location.line, r.address))
    out: list[Waiver] = []
    for file, anchors in by_file.items():
        text = read_side_file(file)
        # Every waiver comment holds the marker: a file without it (most) is not split into
        # lines (a 100,000-object manifest's lines are some 100 MB).
        if text is None or _MARKER not in text:
            continue
        lines = text.splitlines()
        comments: dict[int, list[int]] = {}  # many resources can share a line (count, for_each)
        for line, address in anchors:
            if line not in comments:
                comments[line] = _comment_lines_at(lines, line)
            for number in comments[line]:
                match = INLINE.search(lines[number - 1])
                if match:
                    origin = f"{file}:{number}"
                    out.append(
                        _checked(_inline(match.group("body"), address, origin), today, max_days)
                    )
    return out


def annotation_waivers(graph: Graph, today: date, max_days: int) -> list[Waiver]:
    """Waivers a Kubernetes object declares in its ``guardrails.dev/ignore`` annotation.

    The same syntax as an inline comment, one waiver per line, covering only that object.
    """
    out: list[Waiver] = []
    for resource in graph.resources:
        if resource.source_format != "kubernetes":
            continue
        metadata = resource.attributes.get("metadata")
        annotations = metadata.get("annotations") if isinstance(metadata, Mapping) else None
        value = annotations.get(ANNOTATION) if isinstance(annotations, Mapping) else None
        if not isinstance(value, str):
            continue
        where = resource.location.file if resource.location else resource.id
        origin = f"{where}: {resource.address} annotation {ANNOTATION}"
        for line in value.splitlines():
            if line.strip():
                waiver = _inline(line, resource.address, origin)
                out.append(_checked(waiver, today, max_days))
    return out


def _comment_lines_at(lines: list[str], line: int) -> list[int]:
    """The resource's first line and the contiguous comment lines right above it (1-based)."""
    found = [line] if 0 < line <= len(lines) else []
    number = line - 1
    while number >= 1 and lines[number - 1].lstrip().startswith("#"):
        found.append(number)
        number -= 1
    return found


def _inline(body: str, address: str, origin: str) -> Waiver:
    try:
        words = shlex.split(body)
    except ValueError as exc:
        raise ConfigError(f"{origin}: inline waiver cannot be read: {exc}") from None
    if not words or "=" in words[0]:
        raise ConfigError(f"{origin}: inline waiver must start with a policy id or *")
    fields = dict(w.split("=", 1) for w in words[1:] if "=" in w)
    for required in ("reason", "expires"):
        if not fields.get(required):
            raise ConfigError(f"{origin}: inline waiver for {words[0]} needs {required}=")
    return Waiver(
        policy=words[0],
        resource=address,
        reason=fields["reason"],
        owner=fields.get("owner", "(inline)"),
        expires=_parse_date(fields["expires"], origin),
        origin=origin,
        ticket=fields.get("ticket"),
        literal=True,
    )


def apply_waivers(
    findings: Iterable[Finding], waivers: list[Waiver], graph: Graph, today: date
) -> WaiverResult:
    """Mark findings covered by an active waiver; audit every waiver's status."""
    environments = {r.address: r.facts.get("environment") for r in graph.resources}
    uses = [0] * len(waivers)
    expired_hits = [0] * len(waivers)
    out: list[Finding] = []
    for finding in findings:
        env = environments.get(finding.resource)
        applied = None
        for i, waiver in enumerate(waivers):
            if waiver.matches(finding, env if isinstance(env, str) else None):
                if waiver.expired(today):
                    expired_hits[i] += 1
                    continue
                uses[i] += 1
                applied = applied or waiver
        out.append(
            replace(
                finding,
                waived=True,
                waiver_reason=applied.reason,
                waiver_expires=applied.expires.isoformat(),
            )
            if applied
            else finding
        )
    statuses: list[tuple[Waiver, WaiverStatus, int]] = []
    warnings: list[str] = []
    for i, waiver in enumerate(waivers):
        if waiver.expired(today):
            statuses.append((waiver, WaiverStatus.EXPIRED, expired_hits[i]))
            warnings.append(f"expired waiver no longer applies: {waiver.describe()}")
        elif uses[i] == 0:
            statuses.append((waiver, WaiverStatus.UNUSED, 0))
            warnings.append(f"unused waiver matches no finding: {waiver.describe()}")
        else:
            statuses.append((waiver, WaiverStatus.ACTIVE, uses[i]))
    return WaiverResult(tuple(out), tuple(statuses), tuple(warnings))
