"""Recognising unrendered Helm templates, which are Go templates and not manifests yet."""

from __future__ import annotations

from guardrails.lazy_regex import LazyPattern

#: Any Go template action (``{{ … }}``), the sign of a template when YAML cannot parse the text.
_ACTION = LazyPattern(r"\{\{-?[^{}]*-?\}\}")
#: An action reading what only Helm supplies; other tools template strings inside valid
#: manifests (KServe configs use ``{{ .Spec… }}``), so a parsed file needs one of these.
_HELM_ACTION = LazyPattern(
    r"\{\{-?[^{}]*(?:\.(?:Values|Release|Chart|Capabilities)\b|\binclude\s+\"|\btemplate\s+\")"
    r"[^{}]*-?\}\}"
)

HELM_HINT = "render it with `helm template` first"


def helm_problem(text: str, parsed: bool) -> str | None:
    """The one-line problem when ``text`` is an unrendered Helm template, else None.

    ``parsed``: the text is valid YAML (only Helm's own objects then make it a template).
    """
    if "{{" not in text:  # C-speed scan; the common case for a large manifest
        return None
    found = (_HELM_ACTION if parsed else _ACTION).search(text)
    if found is None:
        return None
    line = text.count("\n", 0, found.start()) + 1
    return f"unrendered Helm template ({{{{ … }}}} at line {line}): {HELM_HINT}"
