"""Hostile input (issue #9): every case ends in bounded time with one line naming the file.

Minimal inputs live in fixtures/hostile/ (named for what they do); FIFOs, sockets, devices
and symlinks are made per test because git cannot hold them.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from guardrails.cli import main
from tests.conftest import FIXTURES, ROOT

HOSTILE = FIXTURES / "hostile"
PYTHON_ENGINE = ["--engine", "python"]


def _one_line_error(err: str, name: str, fragment: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    assert name in lines[0], err
    assert fragment in lines[0], err
    assert "internal error" not in lines[0]
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("yaml-alias-bomb.yaml", "alias bomb"),
        ("yaml-alias-cycle.yaml", "refers to itself"),
        ("json-nested-5000.json", "nesting is too deep"),
        ("yaml-nested-5000.yaml", "nesting"),
        ("plan-int-4301-digits-replicas.json", "out of range"),
        ("replicas-10e400.yaml", "out of range"),
        ("replicas-inf.yaml", "not a finite number"),
        ("plan-number-1e999.json", "not a finite number"),
        ("plan-nan-token.json", "NaN is not JSON"),
        ("plan-address-without-dot.json", "has no type"),
        (
            "plan-module-calls-list.json",
            "malformed Terraform plan JSON: a list where an object was expected (at configuration)",
        ),
        ("deep-module-2000.json", "modules nested over 100 deep"),
    ],
)
@pytest.mark.parametrize("command", ["check", "graph", "cost"])
def test_bad_values_are_one_line_naming_the_file(
    command: str, name: str, fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(HOSTILE / name)
    extra = PYTHON_ENGINE if command == "check" else []
    assert main([command, path, *extra]) == 2
    _one_line_error(capsys.readouterr().err, name, fragment)


def test_wrong_types_in_a_plan_beside_its_tf_files_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With .tf files beside it the plan's module sources are read first (an internal error
    before); the message says what was found in the document's terms."""
    shutil.copy(HOSTILE / "plan-module-calls-list.json", tmp_path / "plan.json")
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {}\n')
    assert main(["check", str(tmp_path / "plan.json"), *PYTHON_ENGINE]) == 2
    _one_line_error(capsys.readouterr().err, "plan.json", "a list where an object was expected")


@pytest.mark.parametrize(
    "name",
    [
        "configmap-timestamp-set-binary.yaml",
        "replicas-unicode-digit.yaml",
        "plan-lone-surrogates.json",
        "nodepool-template-string.yaml",
        "nodepool-template-spec-string.yaml",
        "pulumi-dependencies-wrong-type.json",
        "pulumi-secret-envelope-inputs.json",
        "pulumi-state-wrong-types.json",
        "pulumi-kubernetes-kind-list.json",
        "deep-module-90.json",
        "gpu-quantity-1e300.yaml",
    ],
)
@pytest.mark.parametrize("engine", ["python", "rego"])
def test_odd_but_usable_inputs_are_checked(
    name: str, engine: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Values converted once at load (dates, sets, binary, surrogates) reach every engine."""
    out = tmp_path / "report.json"
    code = main(["check", str(HOSTILE / name), "--engine", engine, "-f", "json", "-o", str(out)])
    err = capsys.readouterr().err
    assert code in (0, 1), err
    assert "internal error" not in err
    text = out.read_text(encoding="utf-8")
    assert "NaN" not in text and "Infinity" not in text


def test_yaml_dates_sets_and_binary_become_json_values(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", str(HOSTILE / "configmap-timestamp-set-binary.yaml")]) == 0
    out = capsys.readouterr().out
    assert '"released": "2024-01-01"' in out
    assert '"at": "2024-01-01T10:00:00+00:00"' in out
    assert '"b": "aGVsbG8="' in out


# -- files that are not regular files ---------------------------------------------------------


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


@contextmanager
def _special_file(path: Path, kind: str) -> Iterator[None]:
    """A FIFO, a listening UNIX socket or a link to a device at `path`, while the block runs."""
    if kind == "FIFO":
        os.mkfifo(path)
        yield
    elif kind == "socket":
        with socket.socket(socket.AF_UNIX) as server:
            server.bind(str(path))
            yield
    else:
        path.symlink_to("/dev/zero")
        yield


def _place_special(tmp_path: Path, placement: str) -> tuple[Path, Path]:
    """Where the special file goes and what to scan, for each way a PR can bring one in."""
    if placement == "input":
        return tmp_path / "s.yaml", tmp_path / "s.yaml"
    if placement == "directory walk":
        (tmp_path / "ok.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
        return tmp_path / "s.yaml", tmp_path
    if placement == "module walked and called":  # read twice, reported once
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        (tmp_path / "b" / "main.tf").write_text('module "m" {\n  source = "../a"\n}\n')
        return tmp_path / "a" / "s.tf", tmp_path
    plan = tmp_path / "plan.json"
    plan.write_bytes((HOSTILE / "deep-module-90.json").read_bytes())
    (tmp_path / "main.tf").write_text('resource "aws_instance" "x" {}\n')
    return tmp_path / "s.tf", plan


@pytest.mark.parametrize(
    "placement", ["input", "directory walk", "beside a plan", "module walked and called"]
)
@pytest.mark.parametrize("kind", ["FIFO", "socket", "device"])
def test_special_files_are_refused_without_being_opened(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, placement: str
) -> None:
    special, target = _place_special(tmp_path, placement)
    with _special_file(special, kind):
        assert main(["graph", str(target)]) == 2
    _one_line_error(capsys.readouterr().err, special.name, kind)


def test_latin1_tf_beside_a_plan_still_maps_lines_and_waivers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "plan.json").write_text(
        '{"format_version": "1.2", "resource_changes": [{"address": "aws_s3_bucket.b", '
        '"type": "aws_s3_bucket", "name": "b", "change": {"actions": ["create"], '
        '"after": {"acl": "public-read"}}}]}'
    )
    (tmp_path / "main.tf").write_bytes(
        b'# caf\xe9 (Latin-1)\n# guardrails:ignore * reason="test" expires=2099-01-01\n'
        b'resource "aws_s3_bucket" "b" {\n  acl = "public-read"\n}\n'
    )
    code = main(["check", str(tmp_path / "plan.json"), *PYTHON_ENGINE, "-f", "json"])
    captured = capsys.readouterr()
    assert code == 2  # the waiver expires too far ahead: a clear config error, not a crash
    _one_line_error(captured.err, "main.tf:2", "waiver_max_days")


def test_inline_waivers_refuse_a_fifo_source(tmp_path: Path) -> None:
    from guardrails.errors import InputError
    from guardrails.inputs.safe_io import read_side_file

    fifo = _fifo(tmp_path / "w.tf")
    with pytest.raises(InputError, match="FIFO"):
        read_side_file(str(fifo))


# -- config and baseline files --------------------------------------------------------------

_MANIFEST = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        (
            "a: &a [x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"a{i}: &a{i} [" + ", ".join(["*a" if i == 1 else f"*a{i - 1}"] * 9) + "]\n"
                for i in range(1, 9)
            ),
            "alias bomb",
        ),
        ("x: " + "[" * 3000 + "]" * 3000 + "\n", "nesting"),
        ("max_gpu_nodes: .inf\n", "not a finite number"),
        ("max_gpu_nodes: 1" + "0" * 400 + "\n", "out of range"),
        ("waivers: !!python/object/apply:os.system [echo]\n", "unsupported tag"),
        ("a: 1\n---\nb: 2\n", "one YAML document"),
        # Python-only: passed the python twin, failed inside OPA (RE2 has no look-ahead)
        ("tag_patterns: {team: '(?=x)x'}\n", "tag_patterns.team: not a valid RE2"),
        # an internal error (OverflowError: date out of range; inf cost not JSON) before
        ("waiver_max_days: 3000000\n", "must be at most 36500"),
        ("default_gpu_hourly_usd: 1.0e+308\n", "must be at most 10000"),
    ],
)
def test_hostile_config_files_are_one_line(
    tmp_path: Path, config: str, fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "m.yaml").write_text(_MANIFEST)
    (tmp_path / ".guardrails.yaml").write_text(config)
    assert main(["check", str(tmp_path / "m.yaml"), *PYTHON_ENGINE]) == 2
    _one_line_error(capsys.readouterr().err, ".guardrails.yaml", fragment)


@pytest.mark.parametrize("engine", ["python", "rego"])
@pytest.mark.parametrize(
    ("team", "fails"),
    [
        ("a" * 40 + "!", True),  # "(a+)+" backtracked for hours on Python's re (a hang)
        ("a" * 40, False),
        ("aaa\n", True),  # Python's "$" also matches before a final newline; RE2's (OPA's) not
    ],
)
def test_tag_patterns_run_on_re2_on_every_engine(
    tmp_path: Path, engine: str, team: str, fails: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".guardrails.yaml").write_text("tag_patterns: {team: '(a+)+'}\n")
    gpu = {"name": "c", "image": "x:1", "resources": {"limits": {"nvidia.com/gpu": 1}}}
    manifest = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "labels": {"team": team}},
        "spec": {"containers": [gpu]},
    }
    (tmp_path / "m.json").write_text(json.dumps(manifest))
    main(["check", str(tmp_path / "m.json"), "--engine", engine, "-f", "json"])
    policies = [f["policy"] for f in json.loads(capsys.readouterr().out)["findings"]]
    assert ("GR-TAG-002" in policies) is fails


def test_invalid_utf8_config_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "m.yaml").write_text(_MANIFEST)
    (tmp_path / ".guardrails.yaml").write_bytes(b"fail_on: h\xe9gh\n")
    assert main(["check", str(tmp_path / "m.yaml"), *PYTHON_ENGINE]) == 2
    _one_line_error(capsys.readouterr().err, ".guardrails.yaml", "UTF-8")


def test_fifo_config_found_upward_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "m.yaml").write_text(_MANIFEST)
    _fifo(tmp_path / ".guardrails.yaml")
    assert main(["check", str(tmp_path / "m.yaml"), *PYTHON_ENGINE]) == 2
    _one_line_error(capsys.readouterr().err, ".guardrails.yaml", "FIFO")


def test_symlink_loop_while_finding_the_config_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "m.yaml").write_text(_MANIFEST)
    (tmp_path / ".guardrails.yaml").symlink_to(tmp_path / ".guardrails.yaml")
    assert main(["check", str(tmp_path / "m.yaml"), *PYTHON_ENGINE]) == 2
    _one_line_error(capsys.readouterr().err, ".guardrails.yaml", "")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can search any directory")
def test_unsearchable_directory_while_finding_the_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # pragma: no cover - CI runs as root
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "m.yaml").write_text(_MANIFEST)
    locked.chmod(0o600)
    try:
        assert main(["check", str(locked / "m.yaml"), *PYTHON_ENGINE]) == 2
    finally:
        locked.chmod(0o700)


@pytest.mark.parametrize("target", ["/dev/zero", "fifo", "big"])
def test_hostile_baselines_are_one_line(
    tmp_path: Path, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "m.yaml").write_text(_MANIFEST)
    baseline = tmp_path / "baseline.json"
    if target == "fifo":
        _fifo(baseline)
    elif target == "big":
        baseline.write_text('{"version": 1, "findings": [' + "[" * 1000 + "]" * 1000 + "]}")
    else:
        baseline.symlink_to(target)
    code = main(["check", str(tmp_path / "m.yaml"), *PYTHON_ENGINE, "--baseline", str(baseline)])
    assert code == 2
    _one_line_error(capsys.readouterr().err, "baseline.json", "baseline")


# -- limits and options -------------------------------------------------------------------


def test_absurd_max_size_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", str(HOSTILE / "deep-module-90.json"), "--max-size-mb", "9999999999"]) == 2
    _one_line_error(capsys.readouterr().err, "--max-size-mb", "")


def test_resource_count_limit_is_checked_before_building(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = tmp_path / "many.yaml"
    manifest.write_text(
        "".join(f"---\n{_MANIFEST.replace('name: a', f'name: c{i}')}" for i in range(50))
    )
    assert main(["graph", str(manifest), "--max-resources", "10"]) == 2
    _one_line_error(capsys.readouterr().err, "many.yaml", "over the limit of 10")


def test_resource_count_limit_stops_a_yaml_stream_while_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Documents past the limit are never read: the malformed tail would be reported otherwise.
    The limit counts the whole scan and stops it (it is not one file's error)."""
    directory = tmp_path / "scan"
    directory.mkdir()
    (directory / "a.yaml").write_text(_MANIFEST)
    objects = "".join(f"---\n{_MANIFEST.replace('name: a', f'name: c{i}')}" for i in range(10))
    (directory / "b.yaml").write_text(objects + "---\nkind: [unclosed\n")
    assert main(["graph", str(directory), "--max-resources", "10"]) == 2
    _one_line_error(
        capsys.readouterr().err, "b.yaml", "the scan reaches 11 resources, over the limit of 10"
    )


def test_internal_errors_name_the_input_and_ask_for_a_report(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import guardrails.parsers.kubernetes as kubernetes

    def broken(obj: object) -> object:
        raise ZeroDivisionError("simulated bug")

    monkeypatch.setattr(kubernetes, "redact_kubernetes", broken)
    path = str(FIXTURES / "kubernetes" / "core-workloads.yaml")
    assert main(["graph", path]) == 3  # a bug, not the input's fault: not the 2 of bad input
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "internal error while processing" in err and "core-workloads.yaml" in err
    assert "report" in err and "bug" in err


# -- standard output ------------------------------------------------------------------------

_CLI = [sys.executable, "-m", "guardrails"]


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*_CLI, *args], cwd=ROOT, timeout=120, check=False, **kwargs)  # type: ignore[call-overload,no-any-return]


def test_closed_stdout_is_exit_2_with_one_line() -> None:
    result = _run(
        ["graph", str(FIXTURES / "kubernetes")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        pass_fds=(),
        preexec_fn=lambda: os.close(1),
    )
    assert result.returncode == 2
    assert result.stderr.decode().count("\n") == 1
    assert b"standard output is closed" in result.stderr


def test_full_stdout_is_exit_2_with_one_line() -> None:
    with open("/dev/full", "wb") as full:
        result = _run(["graph", str(FIXTURES / "kubernetes")], stdout=full, stderr=subprocess.PIPE)
    assert result.returncode == 2
    assert b"No space left on device" in result.stderr
    assert result.stderr.decode().count("\n") == 1


def test_broken_pipe_is_exit_2_not_findings() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will ever read: the first write is a broken pipe
    try:
        result = _run(
            ["check", str(FIXTURES / "kubernetes"), *PYTHON_ENGINE],
            stdout=write_end,
            stderr=subprocess.PIPE,
        )
    finally:
        os.close(write_end)
    assert result.returncode == 2
    assert b"Broken pipe" in result.stderr
    assert result.stderr.decode().count("error:") == 1


# -- untrusted text in reports ---------------------------------------------------------------

_EVIL = "x\x1b[2J\x1b]8;;http://evil\x07link\x1b]8;;\x07\rFAKE<script>alert(1)</script>"
#: Bidi overrides and invisible characters ("Trojan Source"): a name that reads as another.
_INVISIBLE = "\u202e\u2066\u200f\u200b\u2060\ufeff\u2028"
_EVIL += f"dorp{_INVISIBLE}"


def _evil_manifest(tmp_path: Path) -> Path:
    path = tmp_path / "evil.yaml"
    path.write_text(
        "apiVersion: apps/v1\nkind: Deployment\n"
        f"metadata: {{name: {json_quote(_EVIL)}, labels: {{team: {json_quote(_EVIL)}}}}}\n"
        "spec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n"
        "        - {name: a, image: 'x:latest', resources: {limits: {nvidia.com/gpu: 8}}}\n",
        encoding="utf-8",
    )
    return path


def json_quote(text: str) -> str:
    import json

    return json.dumps(text)


@pytest.mark.parametrize(
    "command",
    [
        ["check", "--engine", "python", "-f", "table"],
        ["graph", "-f", "table"],
        ["cost", "-f", "table"],
        ["check", "--engine", "python", "-f", "markdown"],
        ["cost", "-f", "markdown"],
        ["check", "--engine", "python", "-f", "github"],
    ],
)
def test_escape_sequences_never_reach_the_terminal(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _evil_manifest(tmp_path)
    assert main([*command, str(path)]) in (0, 1)
    captured = capsys.readouterr()
    for text in (captured.out, captured.err):
        assert "\x1b" not in text and "\r" not in text and "\x07" not in text
        assert not set(_INVISIBLE) & set(text), ascii(text)
    if "markdown" in command:
        import re

        prose = re.sub(r"`[^`\n]*`", "", captured.out)  # raw HTML is inert in code spans
        assert "<script>" not in prose
        assert "<script>" in captured.out or "&lt;script&gt;" in captured.out


# -- output files ------------------------------------------------------------------------------

_MANIFESTS = str(FIXTURES / "kubernetes" / "core-workloads.yaml")


def test_output_to_dev_stdout_writes_through_and_keeps_the_link() -> None:
    result = _run(
        ["graph", _MANIFESTS, "-o", "/dev/stdout"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"{")
    assert os.path.islink("/dev/stdout")


def test_output_at_a_symlink_replaces_the_link_not_its_target(tmp_path: Path) -> None:
    """A link at an output path may be planted (tests/test_output_writes.py): never followed."""
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert main(["graph", _MANIFESTS, "-o", str(link)]) == 0
    assert not link.is_symlink()
    assert link.read_text().startswith("{")
    assert real.read_text() == "old"


def test_output_to_a_fifo_without_reader_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = _fifo(tmp_path / "out.json")
    assert main(["graph", _MANIFESTS, "-o", str(fifo)]) == 2
    _one_line_error(capsys.readouterr().err, "out.json", "no reader")


def test_output_to_a_fifo_with_a_reader_writes_through(tmp_path: Path) -> None:
    import threading

    fifo = _fifo(tmp_path / "out.json")
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as fh:
            received.append(fh.read())

    reader = threading.Thread(target=read)
    reader.start()
    try:
        import time

        time.sleep(0.2)  # the reader opens first, as `cat fifo &` would
        assert main(["graph", _MANIFESTS, "-o", str(fifo)]) == 0
    finally:
        reader.join(timeout=30)
    assert received and received[0].startswith(b"{")
    assert stat_is_fifo(fifo)


def stat_is_fifo(path: Path) -> bool:
    import stat

    return stat.S_ISFIFO(os.lstat(path).st_mode)


def test_output_to_a_directory_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["graph", _MANIFESTS, "-o", str(tmp_path)]) == 2
    _one_line_error(capsys.readouterr().err, str(tmp_path), "directory")


def test_temp_file_failure_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", _MANIFESTS, "-o", "/sys/kernel/guardrails-report.json"]) == 2
    _one_line_error(capsys.readouterr().err, "guardrails-report.json", "temporary file")


def test_overwritten_report_keeps_its_permissions(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    out.write_text("old")
    out.chmod(0o640)
    assert main(["graph", _MANIFESTS, "-o", str(out)]) == 0
    assert (out.stat().st_mode & 0o777) == 0o640
    assert out.read_text().startswith("{")


def test_several_outputs_are_all_or_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "report.json"
    extra = [f"--output=sarif={tmp_path / 'missing-dir' / 'x.sarif'}"]
    code = main(["check", _MANIFESTS, *PYTHON_ENGINE, "-f", "json", "-o", str(good), *extra])
    assert code == 2
    _one_line_error(capsys.readouterr().err, "x.sarif", "does not exist")
    assert not good.exists()
    # A failure while staging (after the first file is staged) also leaves nothing behind.
    extra = ["--output=sarif=/sys/kernel/x.sarif"]
    code = main(["check", _MANIFESTS, *PYTHON_ENGINE, "-f", "json", "-o", str(good), *extra])
    assert code == 2
    assert not good.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("outputs", "fragment"),
    [
        (["-o", "{d}/a.json", "--output=sarif={d}/a.json"], "the same file as"),
        (["-o", "{d}/a.json", "--output=sarif={d}/link"], "the same file as"),
        (["--output=sarif={d}/a.sarif", "--output=sarif={d}/b.sarif"], "sarif is already written"),
    ],
)
def test_two_reports_to_one_file_are_refused(
    outputs: list[str], fragment: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only the last would survive: refused before anything is written."""
    (tmp_path / "link").symlink_to(tmp_path / "a.json")
    args = [a.replace("{d}", str(tmp_path)) for a in outputs]
    assert main(["check", _MANIFESTS, *PYTHON_ENGINE, "-f", "json", *args]) == 2
    _one_line_error(capsys.readouterr().err, "--output", fragment)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link"]


def test_several_reports_may_go_to_dev_null() -> None:
    args = ["-o", os.devnull, f"--output=sarif={os.devnull}", f"--output=junit={os.devnull}"]
    assert main(["check", _MANIFESTS, *PYTHON_ENGINE, "-f", "json", *args]) in (0, 1)


@pytest.mark.parametrize("stop", ["SIGINT", "SIGTERM"])
def test_signals_remove_temporary_files(
    stop: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import signal

    from guardrails import output

    real_replace = os.replace

    def interrupted(source: str, target: str) -> None:
        if stop == "SIGINT":
            raise KeyboardInterrupt
        os.kill(os.getpid(), signal.SIGTERM)  # the handler raises inside this call
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", interrupted)
    expected = KeyboardInterrupt if stop == "SIGINT" else output.Terminated
    with pytest.raises(expected):
        output.write_all([(tmp_path / "a.json", "{}"), (tmp_path / "b.json", "{}")])
    assert list(tmp_path.iterdir()) == []
    assert signal.getsignal(signal.SIGTERM) is not output._terminate


# -- HCL: python-hcl2 needs hundreds of bytes per byte ------------------------------------------


def test_oversized_tf_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tf = tmp_path / "main.tf"
    block = 'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "b{i}"\n}}\n'
    tf.write_text("".join(block.format(i=i) for i in range(40_000)))
    assert main(["graph", str(tf)]) == 2
    _one_line_error(capsys.readouterr().err, "main.tf", "bounded memory")


def test_huge_heredoc_is_not_parsed_but_lines_stay_right(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tf = tmp_path / "main.tf"
    body = ("x" * 99 + "\n") * 9_000
    tf.write_text(
        f'resource "aws_instance" "a" {{\n  user_data = <<EOT\n{body}EOT\n}}\n\n'
        'resource "aws_instance" "b" {\n  ami = "y"\n}\n'
    )
    assert main(["graph", str(tf)]) == 0
    out = capsys.readouterr().out
    assert "(heredoc of 900,000 characters not read)" in out
    assert '"line": 9006' in out


@pytest.mark.parametrize("target", ["/dev/zero", "fifo"])
def test_hostile_explicit_config_is_refused(
    tmp_path: Path, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "m.yaml").write_text(_MANIFEST)
    config = tmp_path / "cfg.yaml"
    if target == "fifo":
        _fifo(config)
    else:
        config.symlink_to(target)
    assert main(["check", str(tmp_path / "m.yaml"), *PYTHON_ENGINE, "--config", str(config)]) == 2
    _one_line_error(capsys.readouterr().err, "cfg.yaml", "not a regular file")


def test_fifo_in_a_policy_directory_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fifo(tmp_path / "x.rego")
    code = main(["check", _MANIFESTS, *PYTHON_ENGINE, "--policy-dir", str(tmp_path)])
    assert code == 2
    _one_line_error(capsys.readouterr().err, "x.rego", "FIFO")


def test_endless_binary_stdin_is_refused_at_once() -> None:
    with open("/dev/zero", "rb") as zero:
        result = _run(["graph", "-"], stdin=zero, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert result.returncode == 2
    assert b"<stdin>: binary file" in result.stderr


def test_endless_text_stdin_stops_at_the_size_limit() -> None:
    producer = subprocess.Popen(["yes"], stdout=subprocess.PIPE)
    try:
        result = _run(
            ["graph", "-", "--max-size-mb", "2"],
            stdin=producer.stdout,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    finally:
        producer.kill()
        producer.wait()
    assert result.returncode == 2
    assert b"over the 2,097,152-byte limit" in result.stderr


def test_a_rego_evaluation_error_names_the_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A value of a shape a policy did not expect stops the Rego engine: the one line names the
    input first, like every input error, then the policy and OPA's message."""
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "strict.rego").write_text(
        "# METADATA\n# title: T\n# scope: package\n# custom:\n#   id: ACME-X-001\n"
        "#   severity: low\n#   input: resources\npackage guardrails.policy.acme_x\n"
        "import rego.v1\n"
        'deny := [{"resource": r.id, "message": m} | some r in input.resources; '
        'm := concat("", ["x", object.get(r.attributes, "data", {})])]\n'
    )
    manifest = tmp_path / "m.yaml"
    manifest.write_text(_MANIFEST + "data: {k: v}\n")
    args = ["check", str(manifest), "--engine", "rego", "--policy-dir", str(policies)]
    assert main(args) == 2
    _one_line_error(capsys.readouterr().err, "m.yaml: Rego evaluation failed", "strict.rego")
