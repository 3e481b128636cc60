"""AdmissionReview in, AdmissionReview out: validating the review, deciding, answering.

Pure functions, no I/O: the server (server.py) moves bytes, the judge (judge.py) evaluates.
Two error channels, as Kubernetes expects: a malformed review is a :class:`BadReview` (HTTP
400); a denied object is a normal 200 answer with ``allowed: false`` and a 403 status.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, cast

from guardrails.errors import InputError
from guardrails.inputs.json_safe import load_json
from guardrails.model import Finding, Outcome, Severity
from guardrails.webhook.kinds import admitted_kind
from guardrails.webhook.types import (
    ADMISSION_API_VERSION,
    AdmissionRequest,
    AdmissionResponse,
    AdmissionReview,
    AdmissionReviewResponse,
)

#: Kubernetes' own limit on an object is 3 MiB (etcd's request limit is about 1.5 MiB).
MAX_BODY_BYTES = 3 * 1024 * 1024
#: kubectl shows every warning; keep the list short and each line readable.
MAX_WARNINGS = 8
MAX_WARNING_CHARS = 120
MAX_MESSAGE_CHARS = 3000
JUDGED_OPERATIONS = ("CREATE", "UPDATE")
#: Kubernetes' own controllers (ReplicaSets of Deployments, Pods of ReplicaSets and Jobs ...).
TRUSTED_CONTROLLERS = ("system:serviceaccount:kube-system:*",)


class BadReview(ValueError):
    """The request body is not a usable AdmissionReview (answered with HTTP 400)."""


class Mode(StrEnum):
    ENFORCE = "enforce"
    WARN = "warn"
    AUDIT = "audit"


class OnError(StrEnum):
    DENY = "deny"
    ALLOW = "allow"


class Effect(StrEnum):
    DENY = "deny"
    WARN = "warn"
    PRE_EXISTING = "pre-existing"
    WAIVED = "waived"


@dataclass(frozen=True)
class WebhookSettings:
    """How the server judges: mode, threshold, namespaces and failure behaviour."""

    mode: Mode = Mode.ENFORCE
    fail_on: Severity | None = Severity.HIGH
    unknown_fails: bool = False
    exempt_namespaces: tuple[str, ...] = ("kube-system",)
    #: (namespace glob, environment): the first match assigns the environment.
    namespace_environments: tuple[tuple[str, str], ...] = ()
    #: The environment of a namespace neither the mapping nor its name assigns one to.
    default_environment: str = "unknown"
    #: Let an object in an unmapped namespace name its own environment (labels): only for
    #: clusters where whoever creates workloads is trusted to.
    environment_from_labels: bool = False
    object_waiver_namespaces: tuple[str, ...] = ()
    #: Users (globs) whose controller-owned objects were judged at their owner already.
    trusted_controllers: tuple[str, ...] = TRUSTED_CONTROLLERS
    on_error: OnError = OnError.DENY
    budget_seconds: float = 2.0
    #: An UPDATE is judged against its old object: what that already failed only warns
    #: unless the update makes it worse (then it is denied, saying how). False: an UPDATE is
    #: judged like a CREATE.
    ratchet: bool = True

    def exempt(self, namespace: str) -> bool:
        return _matches_any(namespace, self.exempt_namespaces)

    def environment_of(self, namespace: str) -> str | None:
        """The environment of objects in ``namespace``: the mapping's, else the one its name
        holds (``ml-prod``), else ``default_environment``. Never the object's own labels — a
        workload could call itself ``prod`` for the prod ceiling — unless
        ``environment_from_labels`` (then None for unmapped namespaces: detect as usual)."""
        mapped = next(
            (e for g, e in self.namespace_environments if fnmatch.fnmatchcase(namespace, g)), None
        )
        if mapped or self.environment_from_labels:
            return mapped
        # Imported here: `guardrails --help` and `check` load this module for its option types,
        # and enrich is the whole pipeline.
        from guardrails.enrich.environment import namespace_environment

        return namespace_environment(namespace) or self.default_environment

    def honours_object_waivers(self, namespace: str) -> bool:
        return _matches_any(namespace, self.object_waiver_namespaces)


def _matches_any(namespace: str, globs: Iterable[str]) -> bool:
    return bool(namespace) and any(fnmatch.fnmatchcase(namespace, g) for g in globs)


@dataclass(frozen=True)
class JudgedFinding:
    finding: Finding
    effect: Effect


@dataclass(frozen=True)
class Decision:
    """What to answer, and what to log and count about it."""

    allowed: bool
    #: allowed | warned | denied | would-deny (audit) | exempt | skipped | error
    outcome: str
    message: str = ""
    code: int = 200
    warnings: tuple[str, ...] = ()
    findings: tuple[JudgedFinding, ...] = field(default=())
    environment: str | None = None

    @property
    def denied_by(self) -> list[str]:
        return sorted({j.finding.policy for j in self.findings if j.effect == Effect.DENY})

    @property
    def policies(self) -> list[str]:
        return sorted({j.finding.policy for j in self.findings})


def parse_review(body: bytes) -> AdmissionReview:
    """The AdmissionReview in ``body``; :class:`BadReview` naming what is wrong otherwise."""
    if len(body) > MAX_BODY_BYTES:
        raise BadReview(
            f"request body is {len(body):,} bytes, over the {MAX_BODY_BYTES:,}-byte limit"
        )
    try:
        # The same JSON-safe rules as every input: no NaN/Infinity, 64-bit integers, bounded
        # nesting, no lone surrogates (the Rego engines' JSON cannot carry them).
        doc = load_json("request body", body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise BadReview(f"malformed JSON: {exc}") from None
    except InputError as exc:
        raise BadReview(exc.problem) from None
    if not isinstance(doc, dict):
        raise BadReview("expected an AdmissionReview object")
    if doc.get("kind") != "AdmissionReview":
        raise BadReview(f"expected kind AdmissionReview, got {_short(doc.get('kind'))}")
    if doc.get("apiVersion") != ADMISSION_API_VERSION:
        raise BadReview(
            f"unsupported apiVersion {_short(doc.get('apiVersion'))}: this webhook speaks "
            f"{ADMISSION_API_VERSION} (admissionReviewVersions: [v1])"
        )
    request = doc.get("request")
    if not isinstance(request, dict):
        raise BadReview("request is missing or not an object")
    _check_request(request)
    return cast(AdmissionReview, doc)


def _check_request(request: dict[str, Any]) -> None:
    uid = request.get("uid")
    if not isinstance(uid, str) or not uid:
        raise BadReview("request.uid is missing")
    kind = request.get("kind")
    if not isinstance(kind, dict) or not all(
        isinstance(kind.get(k), str) for k in ("group", "version", "kind")
    ):
        raise BadReview("request.kind must be an object with group, version and kind")
    if not isinstance(request.get("operation"), str):
        raise BadReview("request.operation is missing")
    for key in ("namespace", "name", "subResource"):
        if key in request and not isinstance(request[key], str | None):
            raise BadReview(f"request.{key} must be a string")
    if "dryRun" in request and not isinstance(request["dryRun"], bool | None):
        raise BadReview("request.dryRun must be a boolean")
    if request["operation"] in JUDGED_OPERATIONS and not isinstance(request.get("object"), dict):
        raise BadReview(f"request.object is missing for {request['operation']}")
    if not isinstance(request.get("oldObject"), dict | None):
        raise BadReview("request.oldObject must be an object")


def _short(value: Any) -> str:
    return repr(value)[:60]


def namespace_of(request: AdmissionRequest) -> str:
    return request.get("namespace") or ""


def name_of(request: AdmissionRequest) -> str:
    """The object's name; generated names show as ``prefix<generated>``."""
    if request.get("name"):
        return str(request.get("name"))
    obj = request.get("object") or {}
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    meta = meta if isinstance(meta, dict) else {}
    return str(meta.get("name") or f"{meta.get('generateName') or ''}<generated>")


def before_judging(request: AdmissionRequest, settings: WebhookSettings) -> Decision | None:
    """Requests answered without evaluating: exempt namespaces, kinds, operations, subresources."""
    if settings.exempt(namespace_of(request)):
        return Decision(True, "exempt")
    if _made_by_trusted_controller(request, settings):
        return Decision(True, "owned")
    kind = request["kind"]
    if (
        request["operation"] not in JUDGED_OPERATIONS
        or request.get("subResource")
        or admitted_kind(kind["group"], kind["kind"]) is None
    ):
        return Decision(True, "skipped")
    return None


def _made_by_trusted_controller(request: AdmissionRequest, settings: WebhookSettings) -> bool:
    """A ReplicaSet of a Deployment, a Pod of a Job ...: judged when its owner was admitted.

    Judging it again would deny pods of an admitted workload over a config waiver by name or
    labels that live on the owner only. Only a trusted controller's own requests count: anyone
    can write an ownerReference.
    """
    username = (request.get("userInfo") or {}).get("username") or ""
    if not any(fnmatch.fnmatchcase(username, glob) for glob in settings.trusted_controllers):
        return False
    obj = request.get("object") or {}
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    owners = meta.get("ownerReferences") if isinstance(meta, dict) else None
    return isinstance(owners, list) and any(
        isinstance(o, dict) and o.get("controller") is True for o in owners
    )


def decide(
    request: AdmissionRequest,
    findings: Iterable[Finding],
    settings: WebhookSettings,
    *,
    pre_existing: frozenset[str] = frozenset(),
    worse: Mapping[str, tuple[str, ...]] | None = None,
    environment: str | None = None,
) -> Decision:
    """The decision on ``findings`` of the admitted object.

    ``pre_existing``: policy ids or finding fingerprints the old object of an UPDATE
    already failed; an update is judged on what it changes, so those only warn.
    ``worse``: fingerprint -> how the update made that finding worse (judged as new, and
    the denial says how).
    """
    worse = worse or {}
    judged = tuple(_judge(f, settings, pre_existing, worse) for f in findings)
    blocking = [j for j in judged if j.effect == Effect.DENY]
    shown = [j.finding for j in judged if j.effect in (Effect.WARN, Effect.PRE_EXISTING)]
    if settings.mode == Mode.AUDIT:
        outcome = "would-deny" if blocking else "allowed"
        return Decision(True, outcome, findings=judged, environment=environment)
    if settings.mode == Mode.WARN:
        shown = [j.finding for j in judged if j.effect != Effect.WAIVED]
    elif blocking:
        message = _denial(request, [j.finding for j in blocking], environment, worse)
        return Decision(
            False, "denied", message, 403, _warnings(shown, pre_existing), judged, environment
        )
    outcome = "warned" if shown else "allowed"
    return Decision(
        True,
        outcome,
        warnings=_warnings(shown, pre_existing),
        findings=judged,
        environment=environment,
    )


def _judge(
    finding: Finding,
    settings: WebhookSettings,
    pre_existing: frozenset[str],
    worse: Mapping[str, tuple[str, ...]],
) -> JudgedFinding:
    if finding.waived:
        return JudgedFinding(finding, Effect.WAIVED)
    already = finding.policy in pre_existing or finding.fingerprint in pre_existing
    if (already and finding.fingerprint not in worse) or finding.outcome == Outcome.EXISTING:
        return JudgedFinding(finding, Effect.PRE_EXISTING)
    # The same rule as Report.blocking: an unknown finding fails only under --unknown fail,
    # whatever its severity.
    threshold = settings.fail_on
    if finding.outcome == Outcome.UNKNOWN:
        blocks = settings.unknown_fails
    else:
        blocks = threshold is not None and finding.severity.rank >= threshold.rank
    return JudgedFinding(finding, Effect.DENY if blocks else Effect.WARN)


def short_message(finding: Finding) -> str:
    """The finding's message without the ``Kind Kind/ns/name`` it opens with."""
    message = finding.message
    for prefix in (f"{finding.resource_type} {finding.resource} ", f"{finding.resource} "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _warnings(findings: list[Finding], pre_existing: frozenset[str]) -> tuple[str, ...]:
    lines = []
    for f in findings:
        tag = ", already failing" if {f.policy, f.fingerprint} & pre_existing else ""
        lines.append(
            _clip(f"{f.policy} ({f.severity}{tag}): {short_message(f)}", MAX_WARNING_CHARS)
        )
    if len(lines) > MAX_WARNINGS:
        more = len(lines) - (MAX_WARNINGS - 1)
        lines = [*lines[: MAX_WARNINGS - 1], f"... and {more} more guardrails finding(s)"]
    return tuple(lines)


def _denial(
    request: AdmissionRequest,
    blocking: list[Finding],
    environment: str | None,
    worse: Mapping[str, tuple[str, ...]],
) -> str:
    kind = request["kind"]["kind"]
    namespace = namespace_of(request)
    where = f"{namespace}/{name_of(request)}" if namespace else name_of(request)
    env = f" (environment {environment})" if environment else ""
    parts = [
        f"[{f.policy} {f.severity}] {_made_worse(worse.get(f.fingerprint))}"
        f"{_sentence(short_message(f))} Fix: {f.remediation}"
        for f in blocking
    ]
    return _clip(f"guardrails denied {kind} {where}{env}: " + " | ".join(parts), MAX_MESSAGE_CHARS)


def _made_worse(how: tuple[str, ...] | None) -> str:
    """``made worse by this update (max GPUs 4 → 8): `` for an escalated finding."""
    return f"made worse by this update ({'; '.join(how)}): " if how else ""


def error_decision(settings: WebhookSettings, problem: str) -> Decision:
    """The answer when evaluation failed or ran over its budget (``--on-error``).

    ``allow`` admits an object nobody judged (fail open): the warning and the audit
    annotation ``unjudged`` say so.
    """
    if settings.on_error == OnError.ALLOW:
        return Decision(
            True,
            "error",
            warnings=(_clip(f"guardrails could not judge: {problem}", MAX_WARNING_CHARS),),
        )
    message = _clip(f"guardrails could not judge this object: {problem}", MAX_MESSAGE_CHARS)
    return Decision(False, "error", message, 500)


def response(uid: str, decision: Decision) -> AdmissionReviewResponse:
    """The AdmissionReview answering request ``uid``."""
    answer: AdmissionResponse = {"uid": uid, "allowed": decision.allowed}
    if not decision.allowed:
        reason = "Forbidden" if decision.code == 403 else "InternalError"
        answer["status"] = {"code": decision.code, "reason": reason, "message": decision.message}
    if decision.warnings:
        answer["warnings"] = list(decision.warnings)
    if decision.policies:
        answer["auditAnnotations"] = {
            "outcome": decision.outcome,
            "policies": ",".join(decision.policies),
        }
    elif decision.outcome == "error":
        answer["auditAnnotations"] = {"outcome": "error", "unjudged": str(decision.allowed).lower()}
    return {"apiVersion": ADMISSION_API_VERSION, "kind": "AdmissionReview", "response": answer}
