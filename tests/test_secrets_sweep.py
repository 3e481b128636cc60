"""No secret value in any output: every command x format x output file, searched for a marker.

fixtures/secrets/ hides one marker in every place a secret hides in real inputs: Kubernetes
Secret ``data`` (base64) and ``stringData``, the last-applied-configuration annotation,
secret-named env values, literal tokens in env and args, secret flags, an HCL default of a
``sensitive = true`` variable, literal secrets in HCL (a Kubernetes Secret, a manifest, env,
args, a secret-named attribute), a plan value marked sensitive only in ``after_sensitive``, a
Pulumi output named in ``additionalSecretOutputs``. Neither the marker nor its base64 may
appear on stdout, stderr or in any file written.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from guardrails.cli import main
from tests.conftest import FIXTURES

MARKER = "GRSECRETMARKER7Q"
FORBIDDEN = (MARKER, base64.b64encode(MARKER.encode()).decode())
SECRETS = FIXTURES / "secrets"
INPUTS = [
    str(SECRETS / "k8s.yaml"),
    str(SECRETS / "plan.json"),
    str(SECRETS / "pulumi-stack.json"),
    str(SECRETS / "hcl"),
    str(SECRETS / "hcl-literal"),  # not in hcl/: that one has a plan terraform made (parity)
]
CHECK_FORMATS = ("table", "json", "sarif", "junit", "github", "markdown")


def _commands(out: Path) -> list[list[str]]:
    commands: list[list[str]] = []
    for fmt in CHECK_FORMATS:
        commands.append(["check", *INPUTS, "--engine", "python", "-f", fmt])
        commands.append(["check", *INPUTS, "--engine", "python", "-f", fmt, "-o", str(out / fmt)])
    commands.append(
        ["check", *INPUTS, "--engine", "python", "-f", "json"]
        + [f"--output={fmt}={out / ('extra-' + fmt)}" for fmt in CHECK_FORMATS]
    )
    commands.append(["check", *INPUTS, "-f", "json", "-o", str(out / "default-engine.json")])
    for fmt in ("json", "table"):
        commands.append(["graph", *INPUTS, "-f", fmt])
        commands.append(["graph", *INPUTS, "-f", fmt, "-o", str(out / f"graph-{fmt}")])
    for fmt in ("table", "json", "markdown"):
        commands.append(["cost", *INPUTS, "-f", fmt])
        commands.append(["cost", *INPUTS, "-f", fmt, "-o", str(out / f"cost-{fmt}")])
    commands.append(["baseline", "create", *INPUTS, "-o", str(out / "baseline.json")])
    commands.append(["waivers", "list", *INPUTS])
    return commands


def test_fixtures_really_hold_the_secrets() -> None:
    text = "".join(p.read_text() for p in SECRETS.rglob("*") if p.is_file())
    assert text.count(MARKER) >= 10
    assert FORBIDDEN[1] in text


def test_no_command_format_or_file_prints_a_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    summary = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.chdir(tmp_path)
    for command in _commands(out):
        code = main(command)
        captured = capsys.readouterr()
        assert code in (0, 1), (command, captured.err)
        for text in (captured.out, captured.err):
            for forbidden in FORBIDDEN:
                assert forbidden not in text, (command, forbidden)
    written = [p for p in (*out.iterdir(), summary) if p.is_file()]
    assert len(written) >= 20
    for path in written:
        text = path.read_text(encoding="utf-8")
        assert text.strip(), path
        for forbidden in FORBIDDEN:
            assert forbidden not in text, (path.name, forbidden)


def test_visible_values_still_reach_the_graph(capsys: pytest.CaptureFixture[str]) -> None:
    """Redaction is targeted: a plain env value and the non-secret attributes stay."""
    assert main(["graph", *INPUTS]) == 0
    text = capsys.readouterr().out
    assert '"visible"' in text
    assert "db.t3.micro" in text
    assert "(sensitive value)" in text
