"""``guardrails hook``: the pre-commit front door (hooks in ``.pre-commit-hooks.yaml``).

pre-commit hands over only the staged files its pattern matches. A Terraform module is all
the ``.tf`` files of one directory (a variable declared in ``variables.tf`` sets a resource in
``main.tf``), so a changed ``.tf`` file brings its whole directory; files the pattern matched
that are in no supported format (a GitHub workflow among the YAML) are skipped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from guardrails.cli.check import CheckFormat, EngineName, FailOn, UnknownMode, run_check
from guardrails.cli.common import ConfigOpt, EnvOpt, PolicyDirOpt, RootOpt, fail
from guardrails.inputs.discovery import SCANNED_SUFFIXES


def module_files(files: list[str], policy_dirs: tuple[Path, ...] = ()) -> list[str]:
    """``files`` with every ``.tf`` file replaced by all ``.tf`` files of its directory;
    files of other kinds (a README in ``git diff --name-only``) and files inside a policy
    directory (its verdict cases are test inputs, not infrastructure) are left out."""
    out: dict[str, None] = {}
    policy_roots = [d.resolve() for d in policy_dirs]
    for file in files:
        path = Path(file)
        if path.suffix not in SCANNED_SUFFIXES:
            continue
        if any(path.resolve().is_relative_to(d) for d in policy_roots):
            continue
        if path.suffix == ".tf":
            for sibling in sorted(path.parent.glob("*.tf")):
                out[str(sibling)] = None
        out[str(path)] = None
    return list(out)


def hook(
    files: Annotated[
        list[str] | None, typer.Argument(help="Changed files (pre-commit passes them).")
    ] = None,
    format: Annotated[CheckFormat, typer.Option("--format", "-f", help="Report format.")] = (
        CheckFormat.TABLE
    ),
    fail_on: Annotated[
        FailOn | None,
        typer.Option("--fail-on", help="Fail the commit at or above this severity."),
    ] = None,
    unknown: Annotated[
        UnknownMode | None,
        typer.Option("--unknown", help="What findings unknown until apply do to the exit code."),
    ] = None,
    config: ConfigOpt = None,
    env: EnvOpt = None,
    engine: Annotated[
        EngineName,
        typer.Option(
            "--engine",
            help="Policy engine, in-process: auto (the Python twins of the bundled policies; "
            "rego for policies of your own), python or rego. Not opa: the hook runs offline.",
        ),
    ] = EngineName.AUTO,
    policy_dir: PolicyDirOpt = None,
    root: RootOpt = None,
) -> None:
    """Check the files a commit changes (whole Terraform module directories); for pre-commit."""
    if engine == EngineName.OPA:  # the hook has no --opa-url: it must not need a server
        raise fail(
            "hook: --engine opa needs an OPA server and the hook runs offline: use --engine "
            "auto, python or rego (in CI: guardrails check --engine opa --opa-url URL)"
        )
    from guardrails.api import ScanOptions
    from guardrails.parsers.base import ParseOptions

    policy_dirs = tuple(policy_dir or ())
    paths = module_files(list(files or ()), policy_dirs)
    if not paths:
        raise typer.Exit(0)
    options = ScanOptions(
        parse=ParseOptions(skip_unrecognized=True),
        root=root,
        config_path=config,
        environment=env.value if env else None,
        engine=engine.value,
        policy_dirs=policy_dirs,
        allow_empty=True,  # a commit may change only files the hook's patterns over-match
        fail_on=fail_on.value if fail_on else None,
        unknown=unknown.value if unknown else None,
    )
    raise typer.Exit(run_check(paths, options, format.value, [], progress=False))
