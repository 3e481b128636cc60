"""A standard OPA bundle of the policy library: ``.manifest``, the Rego files and ``data.json``
(configuration, GPU catalog, and what each policy reads so a server can be asked in batches)."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from pathlib import Path
from typing import Any

from guardrails.catalog import Catalog
from guardrails.engines import scoped
from guardrails.engines.rego import policy_data, policy_sources
from guardrails.output import write_atomic

ROOTS = ["guardrails"]


def bundle_files(catalog: Catalog, config: dict[str, Any]) -> dict[str, bytes]:
    """Path inside the bundle → content: every policy and library file, data and manifest."""
    files: dict[str, bytes] = {}
    for name, text in policy_sources(catalog):
        path = Path(name)
        parts = path.parts
        # Keep the policy tree's own layout (cost/…, lib/…); user policies go under user/.
        inner = (
            "/".join(parts[parts.index("policies") + 1 :])
            if "policies" in parts
            else (f"user/{path.name}")
        )
        files[inner] = text.encode("utf-8")
    data = policy_data(config)
    data["guardrails"]["scopes"] = scoped.declarations(scoped.plans(catalog))
    files["data.json"] = json.dumps(data, sort_keys=True, indent=1).encode()
    digest = hashlib.sha256()
    for key in sorted(files):
        digest.update(key.encode() + b"\0" + files[key])
    manifest = {
        "revision": digest.hexdigest()[:16],
        "roots": ROOTS,
        "metadata": {"name": "guardrails", "policies": len(catalog)},
    }
    files[".manifest"] = json.dumps(manifest, sort_keys=True).encode()
    return files


def write_bundle(
    catalog: Catalog, config: dict[str, Any], output: Path, root: Path | None = None
) -> dict[str, Any]:
    """Write the bundle as tar.gz atomically (confined to ``root``, see guardrails.output);
    returns the manifest."""
    files = bundle_files(catalog, config)
    archive = io.BytesIO()
    # mtime=0 in the gzip header too, so the same policies give byte-identical bundles.
    with (
        gzip.GzipFile(fileobj=archive, mode="wb", mtime=0) as compressed,
        tarfile.open(fileobj=compressed, mode="w") as tar,
    ):
        for name in sorted(files):
            info = tarfile.TarInfo(f"/{name}")
            info.size = len(files[name])
            info.mtime = 0
            tar.addfile(info, io.BytesIO(files[name]))
    write_atomic(output, archive.getvalue(), root)
    manifest: dict[str, Any] = json.loads(files[".manifest"])
    return manifest


def read_bundle(path: Path) -> dict[str, bytes]:
    """The files of a bundle tar.gz (used by tests and the test OPA server)."""
    out: dict[str, bytes] = {}
    with tarfile.open(path, mode="r:gz") as tar:
        for member in tar.getmembers():
            if member.isfile():
                handle = tar.extractfile(member)
                if handle is not None:
                    out[member.name.lstrip("/")] = handle.read()
    return out
