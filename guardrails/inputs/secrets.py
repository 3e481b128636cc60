"""Secret values are replaced by REDACTED while parsing, so no command or format can print them.

What counts as secret, per format: a Kubernetes Secret's ``data``/``stringData``; the
``kubectl.kubernetes.io/last-applied-configuration`` annotation (a full copy of the object,
secrets included); container ``env`` values whose name says secret or whose value looks like a
credential; ``args``/``command`` words that are credentials or follow a ``--password``-style
flag. Terraform and Pulumi mark their own secrets (``*_sensitive``, ``sensitive = true``,
secret envelopes, ``additionalSecretOutputs``); their parsers apply those marks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from guardrails.lazy_regex import LazyPattern
from guardrails.model import REDACTED

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
_SECRET_KINDS = {"Secret", "SealedSecret"}
_SECRET_NAME = LazyPattern(
    r"(passw(or)?d|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|"
    r"credential|auth[_-]?(token|key)|authorization|session[_-]?key|signing[_-]?key|encryption[_-]?key|\bpwd\b|_pwd$|^pwd_)",
    re.IGNORECASE,
)
#: Credential formats with a recognisable prefix (cloud, Git hosting, chat, model hubs, JWTs).
_TOKEN = LazyPattern(
    r"(AKIA|ASIA)[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|"
    r"glpat-[A-Za-z0-9_-]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|sk-[A-Za-z0-9_-]{20,}|"
    r"hf_[A-Za-z0-9]{30,}|AIza[0-9A-Za-z_-]{35}|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\."
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----|://[^/\s:@]+:[^/\s@]+@"
)
_FLAG = LazyPattern(r"^--?[A-Za-z0-9_.-]+$")


def secret_name(name: str) -> bool:
    """True when an environment variable, flag or key name says it holds a secret."""
    return bool(_SECRET_NAME.search(name))


def looks_like_token(value: str) -> bool:
    """True when ``value`` contains a credential in a well-known format."""
    return bool(_TOKEN.search(value))


def redact_kubernetes(obj: Mapping[str, Any]) -> dict[str, Any]:
    """``obj`` with every secret value replaced by REDACTED: a copy where something is
    redacted, the parsed object itself (never changed in place) where nothing is."""
    out: dict[str, Any] = obj if type(obj) is dict else dict(obj)
    changes: dict[str, Any] = {}
    kind = out.get("kind")
    if isinstance(kind, str) and kind in _SECRET_KINDS:
        for key in ("data", "stringData"):
            if isinstance(out.get(key), Mapping):
                changes[key] = {str(k): REDACTED for k in out[key]}
            elif key in out and out[key] is not None:
                changes[key] = REDACTED
        spec = out.get("spec")
        if kind == "SealedSecret" and isinstance(spec, Mapping):
            encrypted = spec.get("encryptedData")
            if isinstance(encrypted, Mapping):
                changes["spec"] = {**spec, "encryptedData": {str(k): REDACTED for k in encrypted}}
    metadata = out.get("metadata")
    if isinstance(metadata, Mapping):
        annotations = metadata.get("annotations")
        if isinstance(annotations, Mapping):
            redacted_annotations = _redact_annotations(annotations)
            if redacted_annotations != annotations or type(annotations) is not dict:
                changes["metadata"] = {**metadata, "annotations": redacted_annotations}
    if changes:
        out = {**out, **changes}
    redacted: dict[str, Any] = _redact_workload_values(out)
    return redacted


def _redact_annotations(annotations: Mapping[str, Any]) -> dict[str, Any]:
    return {
        str(k): REDACTED
        if k == LAST_APPLIED
        or (isinstance(v, str) and (looks_like_token(v) or secret_name(str(k))))
        else v
        for k, v in annotations.items()
    }


def _redact_workload_values(value: Any) -> Any:
    """Every ``env`` list and ``args``/``command`` list anywhere in ``value`` (CRDs nest pods).

    A dict or list with nothing to redact is returned as it is, not copied: parsed documents
    are never changed, so sharing them is safe, and a 100k-object scan does not hold every
    object twice."""
    if type(value) is dict:
        out: dict[str, Any] | None = None
        for key, item in value.items():
            if type(item) is str or item is None:
                continue
            if key == "env" and isinstance(item, list):
                new: Any = _redact_env_list(item)
            elif key in ("args", "command") and isinstance(item, list):
                new = _redact_words_list(item)
            else:
                new = _redact_workload_values(item)
            if new is not item:
                if out is None:
                    out = dict(value)
                out[key] = new
        return value if out is None else out
    if isinstance(value, Mapping):
        return _redact_workload_values(dict(value))
    if isinstance(value, list):
        items: list[Any] | None = None
        for index, item in enumerate(value):
            new = _redact_workload_values(item)
            if new is not item:
                if items is None:
                    items = list(value)
                items[index] = new
        return value if items is None else items
    return value


def _redact_env_list(entries: list[Any]) -> list[Any]:
    out = [_redact_env(e) for e in entries]
    return entries if all(a is b for a, b in zip(out, entries, strict=True)) else out


def _redact_words_list(words: list[Any]) -> list[Any]:
    out = redact_words(words)
    return words if all(a is b for a, b in zip(out, words, strict=True)) else out


def _redact_env(entry: Any) -> Any:
    if not isinstance(entry, Mapping) or "value" not in entry:
        return _redact_workload_values(entry)
    value = entry.get("value")
    name = str(entry.get("name") or "")
    if isinstance(value, str) and value and (secret_name(name) or looks_like_token(value)):
        return {**entry, "value": REDACTED}
    return entry if type(entry) is dict else dict(entry)


def redact_words(words: Iterable[Any]) -> list[Any]:
    """Command-line words with credentials and the values of secret-named flags redacted."""
    out: list[Any] = []
    hide_next = False
    for word in words:
        if not isinstance(word, str):
            out.append(word)
            hide_next = False
            continue
        if hide_next and not word.startswith("-"):
            out.append(REDACTED)
            hide_next = False
            continue
        hide_next = False
        flag, eq, _ = word.partition("=")
        if eq and flag.startswith("-") and secret_name(flag):
            out.append(f"{flag}={REDACTED}")
        elif looks_like_token(word):
            out.append(REDACTED)
        else:
            out.append(word)
            hide_next = bool(_FLAG.match(word)) and secret_name(word)
    return out


def redact_keys(values: Any, keys: Iterable[str]) -> Any:
    """``values`` (a mapping) with the top-level ``keys`` replaced by REDACTED."""
    names = set(keys)
    if not isinstance(values, Mapping) or not names:
        return values
    return {k: (REDACTED if k in names and v is not None else v) for k, v in values.items()}


#: Terraform resources whose ``data``/``binary_data`` are a Kubernetes Secret's values.
_TERRAFORM_SECRET_TYPES = {"kubernetes_secret", "kubernetes_secret_v1"}


def redact_terraform(rtype: str, attributes: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a resource's attributes read from HCL, where no provider schema marks what is
    sensitive (a plan carries the marks): a Kubernetes Secret's ``data``/``binary_data``, a
    ``kubernetes_manifest``'s secrets, ``env`` values and ``args``/``command`` credentials
    (as in manifests), secret-named string attributes (``password``, ``client_secret`` ...)
    and credential-looking strings anywhere are replaced by REDACTED."""
    out = dict(attributes)
    if rtype in _TERRAFORM_SECRET_TYPES:
        for key in ("data", "binary_data"):
            if isinstance(out.get(key), Mapping):
                out[key] = {str(k): REDACTED for k in out[key]}
            elif out.get(key) is not None:
                out[key] = REDACTED
    manifest = out.get("manifest")
    if rtype.startswith("kubernetes_manifest") and isinstance(manifest, Mapping):
        out["manifest"] = redact_kubernetes(manifest)
    for key, value in out.items():
        if isinstance(value, str) and value and value != REDACTED and secret_name(key):
            out[key] = REDACTED
    redacted: dict[str, Any] = _redact_tokens(_redact_workload_values(out))
    return redacted


def _redact_tokens(value: Any) -> Any:
    """``value`` with every string that holds a well-known credential format redacted."""
    if isinstance(value, Mapping):
        return {k: _redact_tokens(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_tokens(v) for v in value]
    if isinstance(value, str) and looks_like_token(value):
        return REDACTED
    return value
