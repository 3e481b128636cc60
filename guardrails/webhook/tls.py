"""Serving certificates that rotate without a restart (cert-manager renews them in place)."""

from __future__ import annotations

import os
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

Stamp = tuple[tuple[int, int, int], ...]

#: TLS 1.2 suites with forward secrecy and authenticated encryption only (ECDHE with AES-GCM or
#: ChaCha20-Poly1305): no CBC (Lucky13-style padding oracles), no static RSA key exchange.
#: TLS 1.3 suites are all AEAD and are not affected by this string.
AEAD_CIPHERS = "ECDHE+AESGCM:ECDHE+CHACHA20"


def _stamp(*paths: Path) -> Stamp:
    """What changes when a file is rewritten or a mounted Secret's symlink is swapped."""
    out = []
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            out.append((0, 0, 0))
            continue
        out.append((st.st_ino, st.st_size, st.st_mtime_ns))
    return tuple(out)


def harden(context: ssl.SSLContext) -> ssl.SSLContext:
    """``context`` limited to TLS >= 1.2 and, on TLS 1.2, the AEAD suites of AEAD_CIPHERS."""
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(AEAD_CIPHERS)
    context.options |= ssl.OP_CIPHER_SERVER_PREFERENCE | ssl.OP_NO_RENEGOTIATION
    return context


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    """A hardened server context holding ``cert`` and ``key`` (SSLError when they are bad)."""
    context = harden(ssl.create_default_context(ssl.Purpose.CLIENT_AUTH))
    context.load_cert_chain(str(cert), str(key))
    return context


@dataclass
class CertificateReloader:
    """Reloads ``cert``/``key`` into the live server context when the files change.

    A new pair is first loaded into a scratch context: a half-written or mismatched pair is
    reported and the server keeps serving the old certificate.
    """

    context: ssl.SSLContext
    cert: Path
    key: Path
    on_reload: Callable[[bool, str], None]

    def __post_init__(self) -> None:
        self._stamp = _stamp(self.cert, self.key)

    def check(self) -> bool:
        """Reload when the files changed; True when a new certificate was loaded."""
        stamp = _stamp(self.cert, self.key)
        if stamp == self._stamp:
            return False
        try:
            server_context(self.cert, self.key)
            # The live context is shared by the listening socket: new handshakes use the
            # new pair, connections already open keep theirs.
            self.context.load_cert_chain(str(self.cert), str(self.key))
        except (OSError, ssl.SSLError) as exc:
            self.on_reload(False, f"{self.cert}: {exc}")
            return False  # retried on the next change of the files
        finally:
            self._stamp = stamp
        self.on_reload(True, str(self.cert))
        return True
