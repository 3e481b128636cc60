"""``guardrails policies lint``: the rules of docs/policy-contract.md that keep every engine fast
and identical, checked on the source, each problem as ``file:line: rule: text``.

Rules:
- ``metadata``: a policy package's METADATA block against
  ``guardrails/schemas/policy-metadata.schema.json`` (what the catalog reads);
- ``missing-input``: no ``custom.input``: the policy gets the whole document at once;
- ``partial-set``: ``NAME contains x if`` or ``NAME[x]`` rules (O(n²) on regopy);
- ``sprintf``: messages built with sprintf (regopy quotes and formats differently from OPA);
- ``all-resources-lookup``: a look-up into a set or object built from all resources, per
  resource (O(n) each on regopy), unless the rule is a declared aggregate;
- ``with-input`` (``*_test.rego``): ``with input as`` (regopy 1.5.2 crashes when the rule
  under test calls a builtin) and ``with ... as <rule>`` (regopy ignores the value).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from guardrails.catalog.metadata import MAX_POLICY_BYTES, POLICY_PACKAGE_PREFIX
from guardrails.catalog.rego_source import Token, package_of, rule_heads, tokens
from guardrails.config import schema_problem
from guardrails.inputs.discovery import files_below
from guardrails.inputs.safe_io import read_text


@dataclass(frozen=True, order=True)
class Problem:
    """One rule broken at one line."""

    file: str
    line: int
    rule: str
    text: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.rule}: {self.text}"


@cache
def metadata_schema() -> dict[str, Any]:
    """The JSON Schema of a policy's METADATA block."""
    text = (
        files("guardrails")
        .joinpath("schemas/policy-metadata.schema.json")
        .read_text(encoding="utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema


def rego_files(directories: Sequence[Path]) -> list[Path]:
    """Every ``.rego`` file below ``directories`` (hidden and tool folders left out)."""
    found: set[Path] = set()
    for directory in directories:
        if directory.is_file():
            found.add(directory)
            continue
        found.update(files_below(directory, ".rego"))
    return sorted(found)


def lint_paths(directories: Sequence[Path]) -> list[Problem]:
    """Every problem in the ``.rego`` files below ``directories``, in file and line order."""
    problems: list[Problem] = []
    for path in rego_files(directories):
        text = read_text(str(path), MAX_POLICY_BYTES)
        problems += lint_source(str(path), text)
    return sorted(problems)


def lint_source(file: str, text: str) -> list[Problem]:
    """The problems of one module."""
    if file.endswith("_test.rego"):
        return list(_with_input(file, text))
    problems: list[Problem] = []
    package = package_of(text) or ""
    blocks = list(_metadata_blocks(text))
    policy: dict[str, Any] | None = None
    for line, meta in blocks:
        if isinstance(meta, str):
            problems.append(Problem(file, line, "metadata", meta))
            continue
        custom = meta.get("custom") if isinstance(meta, dict) else None
        if isinstance(custom, dict) and "id" in custom:
            policy = meta
            problems += _schema_problems(file, text, line, meta)
            if "input" not in custom:
                problems.append(
                    Problem(
                        file,
                        _key_line(text, line, ["custom"]),
                        "missing-input",
                        "no custom.input: every Rego engine gets the whole document at once "
                        "and its memory grows with the input; declare resources, summary or "
                        "graph (docs/policy-contract.md)",
                    )
                )
    if policy is None and package.startswith(POLICY_PACKAGE_PREFIX) and not blocks:
        problems.append(
            Problem(file, 1, "metadata", f"package {package} has no METADATA block with custom.id")
        )
    if not package.startswith(POLICY_PACKAGE_PREFIX) and policy is None:
        return problems + list(_sprintf(file, text))  # a library: only how it formats
    aggregates = _aggregates(policy)
    problems += _partial_sets(file, text)
    problems += _sprintf(file, text)
    problems += _all_resource_lookups(file, text, aggregates)
    return problems


def _metadata_blocks(text: str) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line of ``# METADATA``, the parsed block or a problem) for each block."""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        if lines[index].strip() != "# METADATA":
            index += 1
            continue
        start = index + 1
        body: list[str] = []
        index += 1
        while index < len(lines) and lines[index].startswith("#"):
            line = lines[index]
            body.append(line[2:] if line.startswith("# ") else line[1:])
            index += 1
        try:
            meta = yaml.safe_load("\n".join(body)) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = start + 1 + (mark.line if mark is not None else 0)
            yield at, "METADATA is not valid YAML"
            continue
        yield start, meta if isinstance(meta, dict) else "METADATA must be a mapping"


def _key_line(text: str, block_line: int, path: Sequence[Any]) -> int:
    """The line of the key ``path`` names inside the METADATA block at ``block_line``."""
    lines = text.splitlines()
    at = block_line  # index of the first body line (0-based) is block_line
    for key in path:
        if not isinstance(key, str):
            continue
        for index in range(at, len(lines)):
            if not lines[index].startswith("#"):
                break
            body = lines[index].lstrip("#").strip()
            if body.startswith(f"{key}:") or body.startswith(f"{key} :"):
                at = index
                break
    return at + 1 if at != block_line else block_line


def _schema_problems(file: str, text: str, line: int, meta: dict[str, Any]) -> list[Problem]:
    from jsonschema import Draft202012Validator

    out = []
    for error in Draft202012Validator(metadata_schema()).iter_errors(meta):
        path = list(error.absolute_path)
        where = ".".join(str(p) for p in path) or "METADATA"
        out.append(
            Problem(
                file, _key_line(text, line, path), "metadata", f"{where} {schema_problem(error)}"
            )
        )
    return out


def _aggregates(policy: dict[str, Any] | None) -> set[str]:
    custom = (policy or {}).get("custom") or {}
    declared = custom.get("aggregates") if isinstance(custom, dict) else None
    return {str(k) for k in declared} if isinstance(declared, dict) else set()


def _partial_sets(file: str, text: str) -> Iterator[Problem]:
    items = list(tokens(text))
    heads = {(t.line, t.text) for t in rule_heads(text)}
    for index, token in enumerate(items[:-1]):
        if (token.line, token.text) not in heads or token.depth:
            continue
        following = items[index + 1]
        if following.text == "contains" or (
            following.text == "[" and _partial_bracket(items, index)
        ):
            yield Problem(
                file,
                token.line,
                "partial-set",
                f"{token.text} is a partial set rule: O(n²) over input.resources on regopy; "
                f"write {token.text} := [f | some r in input.resources; ...]",
            )


def _partial_bracket(items: list[Token], index: int) -> bool:
    """``name[x] { ... }`` / ``name[x] if``: a v0 partial set or object (not ``name := [``)."""
    depth = 0
    for token in items[index + 1 :]:
        if token.text == "[":
            depth += 1
        elif token.text == "]":
            depth -= 1
            if depth == 0:
                return True
    return False


def _sprintf(file: str, text: str) -> Iterator[Problem]:
    items = list(tokens(text))
    for index, token in enumerate(items[:-1]):
        if token.text == "sprintf" and items[index + 1].text == "(":
            if index and items[index - 1].text == ".":
                continue
            yield Problem(
                file,
                token.line,
                "sprintf",
                "sprintf formats differently on regopy (quoted %s, numbers); build the "
                'message with concat("", [...]) and format_int(n, 10)',
            )


def _rule_spans(text: str) -> list[tuple[Token, list[Token]]]:
    """Each rule head with the tokens of its rule (up to the next head)."""
    items = list(tokens(text))
    heads = {(t.line, t.text) for t in rule_heads(text)}
    spans: list[tuple[Token, list[Token]]] = []
    for token in items:
        if token.depth == 0 and token.kind == "ident" and (token.line, token.text) in heads:
            spans.append((token, []))
        elif spans:
            spans[-1][1].append(token)
    return spans


def _over_all_resources(body: list[Token]) -> bool:
    return any(
        a.text == "input" and b.text == "." and c.text == "resources"
        for a, b, c in zip(body, body[1:], body[2:], strict=False)
    )


def _all_resource_lookups(file: str, text: str, aggregates: set[str]) -> Iterator[Problem]:
    spans = _rule_spans(text)
    collections = set()
    for head, body in spans:
        texts = [t.text for t in body[:3]]
        assigned = texts[:3] == [":", "=", "{"] or texts[:2] == ["=", "{"]
        if (assigned or texts[:1] == ["contains"]) and _over_all_resources(body):
            collections.add(head.text)
    collections -= aggregates
    if not collections:
        return
    for head, body in spans:
        for index, token in enumerate(body):
            if token.kind != "ident" or token.text not in collections:
                continue
            before = body[index - 1].text if index else ""
            after = body[index + 1].text if index + 1 < len(body) else ""
            if before == ".":
                continue
            if after == "[" or before == "in":
                yield Problem(
                    file,
                    token.line,
                    "all-resources-lookup",
                    f"{head.text} looks up {token.text}, a set or object built from all "
                    "resources: O(n) per look-up on regopy; read relations from "
                    "r.facts.neighbors, or declare it in custom.aggregates",
                )


def _with_input(file: str, text: str) -> Iterator[Problem]:
    items = list(tokens(text))
    rules = {t.text for t in rule_heads(text)}
    for index, token in enumerate(items):
        if token.text != "with" or token.kind != "ident":
            continue
        target: list[str] = []
        at = index + 1
        while at < len(items) and items[at].text != "as":
            target.append(items[at].text)
            at += 1
        value = items[at + 1] if at + 1 < len(items) else None
        if target == ["input"]:
            yield Problem(
                file,
                token.line,
                "with-input",
                "`with input as` replaces the whole input: regopy 1.5.2 crashes when the rule "
                "under test calls a builtin; replace a part (with input.resources as rs)",
            )
        elif (
            value is not None
            and value.kind == "ident"
            and value.text in rules
            and (at + 2 >= len(items) or items[at + 2].text not in ("(", ".", "["))
        ):
            yield Problem(
                file,
                token.line,
                "with-input",
                f"`with ... as {value.text}` (a rule) is ignored by regopy 1.5.2; bind it to a "
                f"variable first (rs := {value.text}) and use `as rs`",
            )
