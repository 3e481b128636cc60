"""Text from inputs in Markdown (PR comments, job summaries): shown, never rendered.

A label, address or message is the pull request's text. In a comment it must not become a
link, an image, raw HTML, a code span that swallows the rest of the line or an ``@team``
mention that notifies people; it stays on one line (a table row) and its length is capped.
"""

from __future__ import annotations

import html
import re

from guardrails.safe_text import one_line

#: Longest text kept in one table cell or details line (resource names come from inputs).
CELL_CHARS = 300
_CODE_SPAN = re.compile(r"(`[^`]*`)")
#: Characters that start a link, an image, a code span, an escape or a table cell.
_ACTIVE = re.compile(r"([\\`\[\]!|])")
#: Autolinks GitHub makes of bare text: URLs, www. names and e-mail addresses.
_URL_SCHEME = re.compile(r"://")
_WWW = re.compile(r"(?i)\b(www)\.")


def flat(text: str, limit: int) -> str:
    """``text`` on one line (:func:`one_line`, whitespace runs as one space), cut at ``limit``."""
    shown = " ".join(one_line(text).split())
    return shown[: limit - 1] + "…" if len(shown) > limit else shown


def _inert(text: str) -> str:
    text = html.escape(text, quote=False)
    text = _ACTIVE.sub(r"\\\1", text)
    # A zero-width space after '@' (as Dependabot writes mentions it quotes): no notification,
    # and no e-mail autolink; the URL and www. autolinks are broken the same way.
    text = text.replace("@", "@&#8203;")
    text = _URL_SCHEME.sub(":&#47;&#47;", text)
    return _WWW.sub(r"\1&#46;", text)


def cell(text: str, limit: int = CELL_CHARS, *, keep_code: bool = False) -> str:
    """Untrusted text safe in Markdown prose or a table cell: one line, at most ``limit``
    characters, nothing in it rendered (HTML, links, images, mentions, code spans).

    ``keep_code`` keeps the code spans of trusted text (the bundled policies' remediation):
    a span is only recognised as such by pairing backticks, which text from a pull request
    could unbalance to expose what follows.
    """
    shown = flat(text, limit)
    if not keep_code:
        return _inert(shown)
    parts = _CODE_SPAN.split(shown)
    return "".join(p.replace("|", "\\|") if i % 2 else _inert(p) for i, p in enumerate(parts))


def code(text: str, limit: int = CELL_CHARS) -> str:
    """Untrusted text as an inline code span: nothing renders there (no HTML, link or
    mention), and a backtick, which could close the span, is shown as ``'``."""
    return "`" + flat(text, limit).replace("`", "'").replace("|", "\\|") + "`"
