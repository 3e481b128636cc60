"""Evaluating policies on bounded pieces of the input, as each policy's METADATA allows.

An embedded Rego engine holds its whole input as Rego terms: 45-90 KB per resource inside OPA,
900 MB for a 10k-resource plan. Most policies judge one resource at a time
(``custom.input: resources``), so they are evaluated on batches of resources of bounded size and
the engine's working set is bounded by the batch, not the input. Policies reading only
``input.summary`` get only the summary; policies without a declaration get the whole document.

A ``resources`` policy may also read a value computed over all resources (GR-SEC-001: the bucket
names some public-access block covers). Such rules are declared as aggregates: they are
evaluated on every batch first, merged (set: union; boolean: any), and each batch's ``deny`` is
then evaluated through a generated wrapper that replaces the rule with the merged value
(``with``), so findings are the same as on the whole document.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from guardrails.errors import ConfigError

if TYPE_CHECKING:  # the sandbox child imports this module: it never loads the catalog
    from guardrails.catalog import Catalog

POLICY_PREFIX = "guardrails.policy"
#: Packages of the generated wrappers that inject merged aggregates.
WRAPPER_PREFIX = "guardrails.batched"
#: A batch holds at most this many bytes of resource JSON (OPA holds ~25x that in memory;
#: smaller batches save little more, benchmarks/results/hostile.md) ...
BATCH_BYTES = 128 * 1024
#: ... and at most this many resources.
BATCH_RESOURCES = 1000


@dataclass(frozen=True)
class PolicyPlan:
    """How one policy is evaluated: its package below ``guardrails.policy``, what it reads,
    and its aggregate rules (name, kind)."""

    key: str
    scope: str
    aggregates: tuple[tuple[str, str], ...] = ()

    @property
    def deny_ref(self) -> str:
        """The rule a batch asks for: the wrapper's ``deny`` when aggregates are injected."""
        prefix = WRAPPER_PREFIX if self.aggregates else POLICY_PREFIX
        return f"{prefix}.{self.key}.deny"

    def to_json(self) -> list[Any]:
        return [self.key, self.scope, [list(a) for a in self.aggregates]]

    @staticmethod
    def from_json(value: list[Any]) -> PolicyPlan:
        return PolicyPlan(value[0], value[1], tuple((a[0], a[1]) for a in value[2]))


def plans(catalog: Catalog) -> list[PolicyPlan]:
    """The evaluation plan of every catalog policy."""
    return [
        PolicyPlan(p.rule_key, p.input_scope, p.aggregates if p.input_scope == "resources" else ())
        for p in catalog
    ]


def whole_input_warning(catalog: Catalog, resources: int) -> str | None:
    """A warning when policies we do not ship read the whole input (no ``custom.input``) of
    a scan too large for one batch: their memory on a Rego engine grows with the scan."""
    whole = sorted(p.id for p in catalog if not p.bundled and p.input_scope == "graph")
    if not whole or resources <= BATCH_RESOURCES:
        return None
    names = ", ".join(whole[:5]) + (f" and {len(whole) - 5} more" if len(whole) > 5 else "")
    verb = "declares" if len(whole) == 1 else "declare"
    return (
        f"{names} {verb} no custom.input: the Rego engine holds all {resources:,} resources "
        "at once for them, so memory grows with the scan; declare `custom.input: resources` "
        "(or `summary`) where a policy reads less (docs/policy-contract.md)"
    )


def declarations(policy_plans: Sequence[PolicyPlan]) -> dict[str, Any]:
    """What each policy reads, in its METADATA's terms (``{package key: {"input": scope,
    "aggregates": {rule: kind}}}``). A bundle carries it (``data.guardrails.scopes``), so a
    server is asked in the batches its own policies allow, whatever the local catalog says."""
    return {p.key: {"input": p.scope, "aggregates": dict(p.aggregates)} for p in policy_plans}


def _input_scope(custom: Any, key: str, origin: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    from guardrails.catalog import input_scope  # not at import: the sandbox child stays light

    return input_scope(custom, key, origin)


def declared(value: Any, origin: str) -> dict[str, PolicyPlan]:
    """Plans by package key from :func:`declarations`, checked like METADATA (a wrong scope
    gives wrong findings): a ConfigError naming ``origin`` when malformed."""
    if not isinstance(value, dict):
        raise ConfigError(f"{origin}: must map policy packages to what they read")
    out = {}
    for key, custom in value.items():
        if not isinstance(custom, dict):
            raise ConfigError(f"{origin}: {key!r} must be an object with input and aggregates")
        scope, aggregates = _input_scope(custom, str(key), origin)
        out[str(key)] = PolicyPlan(str(key), scope, aggregates)
    return out


def _injected_deny(plan: PolicyPlan) -> tuple[list[str], str]:
    """Rego statements binding each merged aggregate (read from ``input.aggregates[key][rule]``)
    to ``v<i>``, and the ``deny`` expression that evaluates with them in place of the batch's
    own values (``with``)."""
    binds, withs = [], []
    for index, (rule, kind) in enumerate(plan.aggregates):
        value = f"input.aggregates[{json.dumps(plan.key)}][{json.dumps(rule)}]"
        if kind == "set":  # no `some .. in`: an OPA 0.x server parses queries without rego.v1
            value = f"{{x | x := {value}[_]}}"
        binds.append(f"v{index} := {value}")
        withs.append(f"with data.{POLICY_PREFIX}.{plan.key}.{rule} as v{index}")
    return binds, f"data.{POLICY_PREFIX}.{plan.key}.deny {' '.join(withs)}"


def wrapper_modules(policy_plans: Sequence[PolicyPlan]) -> list[tuple[str, str]]:
    """(module name, Rego text) of the wrappers that evaluate ``deny`` with merged aggregates
    in place of the batch's own values (for engines that query rules by entry point)."""
    modules = []
    for plan in policy_plans:
        if not plan.aggregates:
            continue
        binds, deny = _injected_deny(plan)
        lines = [f"package {WRAPPER_PREFIX}.{plan.key}", "", "import rego.v1", "", "deny := d if {"]
        lines += [f"\t{bind}" for bind in binds] + [f"\td := {deny}", "}"]
        modules.append((f"<generated>/{WRAPPER_PREFIX}/{plan.key}.rego", "\n".join(lines) + "\n"))
    return modules


#: The variable a gather query binds: ``{ref: [value], ...}`` (``[]`` where undefined).
GATHERED = "gathered"


def gather_query(refs: Sequence[str], inline: Sequence[PolicyPlan] = ()) -> str:
    """One Rego query for the values of every ref on one input (one evaluation, one round trip).

    The wrapper refs (``deny_ref``) of the ``inline`` plans are evaluated in the query itself,
    with their wrapper's ``with`` clauses, for an engine that holds no wrappers: an OPA server
    asked through its ad-hoc query API needs nothing uploaded.
    """
    wrappers = {p.deny_ref: p for p in inline if p.aggregates}
    fields = []
    for ref in refs:
        plan = wrappers.get(ref)
        if plan is None:
            body = f"v := data.{ref}"
        else:
            binds, deny = _injected_deny(plan)
            body = "; ".join([*binds, f"v := {deny}"])
        fields.append(f"{json.dumps(ref)}: [v | {body}]")
    return f"{GATHERED} := {{{', '.join(fields)}}}"


#: Packages of the generated gather rules (:func:`gather_modules`).
GATHER_PREFIX = "guardrails.gather"


def gather_ref(name: str) -> str:
    """The rule of :func:`gather_modules` that gathers the refs of query kind ``name``."""
    return f"{GATHER_PREFIX}.{name}.{GATHERED}"


def gather_modules(policy_plans: Sequence[PolicyPlan]) -> list[tuple[str, str]]:
    """(module name, Rego text) of one rule per kind of query of :func:`evaluate_scoped`
    (:func:`queries`), binding :func:`gather_query`'s object: an engine that evaluates by
    entry point (regopy) then evaluates every rule a batch needs in one query."""
    modules = []
    for name, refs in queries(policy_plans).items():
        text = f"package {GATHER_PREFIX}.{name}\n\n{gather_query(refs)}\n"
        modules.append((f"<generated>/{GATHER_PREFIX}/{name}.rego", text))
    return modules


def bound(rows: Any, name: str) -> dict[str, Any] | None:
    """The object bound to variable ``name`` in the first row of a query's answer (a list of
    binding objects, as OPA returns them), or None when there is none."""
    row = rows[0] if isinstance(rows, list) and rows else None
    value = row.get(name) if isinstance(row, dict) else None
    return value if isinstance(value, dict) else None


def gathered(rows: Any) -> dict[str, Any] | None:
    """The defined values from the answer of :func:`gather_query`, or None when the answer
    binds nothing (the query always binds, so that is an error)."""
    value = bound(rows, GATHERED)
    return None if value is None else defined(value)


def defined(value: dict[str, Any]) -> dict[str, Any]:
    """``{ref: value}`` for the defined refs of a :func:`gather_query` object
    (``{ref: [value]}``, ``[]`` where undefined)."""
    return {ref: found[0] for ref, found in value.items() if isinstance(found, list) and found}


def queries(policy_plans: Sequence[PolicyPlan]) -> dict[str, list[str]]:
    """The refs each kind of query of :func:`evaluate_scoped` asks for: ``whole`` (an input
    in one batch), ``graph`` and ``summary`` (once each), ``aggregates`` and ``batch`` (on
    every batch of resources). Kinds that would ask for nothing are left out."""
    direct = {p.key: f"{POLICY_PREFIX}.{p.key}.deny" for p in policy_plans}
    kinds = {
        "whole": list(direct.values()),
        "graph": [direct[p.key] for p in policy_plans if p.scope == "graph"],
        "summary": [direct[p.key] for p in policy_plans if p.scope == "summary"],
        "aggregates": [
            f"{POLICY_PREFIX}.{p.key}.{rule}"
            for p in policy_plans
            if p.scope == "resources"
            for rule, _ in p.aggregates
        ],
        "batch": [p.deny_ref for p in policy_plans if p.scope == "resources"],
    }
    return {name: refs for name, refs in kinds.items() if refs}


def all_refs(policy_plans: Sequence[PolicyPlan]) -> list[str]:
    """Every rule a scoped evaluation may ask for (regopy needs them as bundle entry points)."""
    refs = []
    for plan in policy_plans:
        refs.append(f"{POLICY_PREFIX}.{plan.key}.deny")
        if plan.aggregates:
            refs.append(plan.deny_ref)
            refs += [f"{POLICY_PREFIX}.{plan.key}.{rule}" for rule, _ in plan.aggregates]
    return refs


@dataclass
class Batch:
    """One input document for one query; ``encoded`` holds the JSON of its resources when
    they were encoded already (each resource is encoded once per evaluation, not per use)."""

    doc: dict[str, Any]
    encoded: Sequence[str] | None = None

    def json(self) -> str:
        """The document as JSON text (what regopy reads)."""
        if self.encoded is None:
            return json.dumps(self.doc, allow_nan=False)
        rest = json.dumps({k: v for k, v in self.doc.items() if k != "resources"}, allow_nan=False)
        resources = f'"resources": [{", ".join(self.encoded)}]'
        return f"{rest[:-1]}, {resources}}}" if rest != "{}" else f"{{{resources}}}"


class Session(Protocol):
    """A compiled Rego engine that answers queries for rule values on one input at a time."""

    def values(self, batch: Batch, refs: Sequence[str]) -> dict[str, Any]:
        """The value of every ref (a dotted ``data`` path) that is defined on ``batch``."""
        ...


def _batch_bounds(
    encoded: Sequence[str], batch_bytes: int, batch_resources: int
) -> list[tuple[int, int]]:
    """[start, end) of consecutive runs of resources of bounded JSON size and count."""
    bounds = []
    start = size = 0
    for index, text in enumerate(encoded):
        length = len(text)
        if index > start and (size + length > batch_bytes or index - start >= batch_resources):
            bounds.append((start, index))
            start, size = index, 0
        size += length
    if start < len(encoded):
        bounds.append((start, len(encoded)))
    return bounds


def _merge(kind: str, seen: Any, value: Any) -> Any:
    if kind == "boolean":
        return bool(seen) or value is True
    merged = {json.dumps(v, sort_keys=True): v for v in [*(seen or []), *(value or [])]}
    return [merged[k] for k in sorted(merged)]


def evaluate_scoped(
    session: Session,
    input_doc: dict[str, Any],
    policy_plans: Sequence[PolicyPlan],
    batch_bytes: int | None = None,
    batch_resources: int = BATCH_RESOURCES,
) -> dict[str, Any]:
    """``{package key: deny value}`` for every policy whose ``deny`` is defined.

    Batches hold at most ``batch_bytes`` of resource JSON (default BATCH_BYTES) and
    ``batch_resources`` resources; an input small enough for one batch is evaluated whole, in
    one query.
    """
    resources = input_doc.get("resources")
    resources = resources if isinstance(resources, list) else []
    version = input_doc.get("version")
    encoded = [json.dumps(r, allow_nan=False, separators=(",", ":")) for r in resources]
    bounds = _batch_bounds(
        encoded, BATCH_BYTES if batch_bytes is None else batch_bytes, batch_resources
    )
    asked = queries(policy_plans)
    by_ref = {p.deny_ref: p for p in policy_plans}
    direct = {f"{POLICY_PREFIX}.{p.key}.deny": p for p in policy_plans}
    if len(bounds) <= 1:
        answer = session.values(Batch(input_doc), asked.get("whole", []))
        return {direct[ref].key: value for ref, value in answer.items()}

    result: dict[str, Any] = {}
    if "graph" in asked:
        answer = session.values(Batch(input_doc), asked["graph"])
        result.update({direct[ref].key: value for ref, value in answer.items()})
    if "summary" in asked:
        doc = {"version": version, "summary": input_doc.get("summary", {})}
        answer = session.values(Batch(doc), asked["summary"])
        result.update({direct[ref].key: value for ref, value in answer.items()})

    if "batch" not in asked:
        return result
    aggregated = [p for p in policy_plans if p.scope == "resources" and p.aggregates]
    kinds = {
        f"{POLICY_PREFIX}.{p.key}.{rule}": (p.key, rule, kind)
        for p in aggregated
        for rule, kind in p.aggregates
    }

    merged: dict[str, dict[str, Any]] | None = None
    if aggregated:
        merged = {p.key: {rule: None for rule, _ in p.aggregates} for p in aggregated}
        for start, end in bounds:
            batch = Batch(
                {"version": version, "resources": resources[start:end]}, encoded[start:end]
            )
            answer = session.values(batch, asked["aggregates"])
            for ref, (key, rule, kind) in kinds.items():
                merged[key][rule] = _merge(kind, merged[key][rule], answer.get(ref))
        for key, rules in merged.items():
            for rule, value in rules.items():
                kind = kinds[f"{POLICY_PREFIX}.{key}.{rule}"][2]
                rules[rule] = _merge(kind, value, None)  # never seen: empty set / false

    for start, end in bounds:
        doc = {"version": version, "resources": resources[start:end]}
        if merged is not None:
            doc["aggregates"] = merged
        answer = session.values(Batch(doc, encoded[start:end]), asked["batch"])
        for ref, value in answer.items():
            key = by_ref[ref].key
            if isinstance(value, list):
                found = result.setdefault(key, [])
                if isinstance(found, list):
                    found.extend(value)
            else:
                result.setdefault(key, value)
    return result
