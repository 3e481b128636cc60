"""``guardrails webhook serve|replay|certs``: the Kubernetes validating admission webhook."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from guardrails.cli.check import EngineName, FailOn
from guardrails.cli.common import ConfigOpt, PolicyDirOpt, fail, print_warning
from guardrails.cli.help import PanelledCommand
from guardrails.errors import ConfigError, GuardrailsError
from guardrails.model import Severity
from guardrails.webhook.review import Mode, OnError, WebhookSettings

if TYPE_CHECKING:
    from guardrails.api import PreparedPolicies, ScanOptions

webhook_app = typer.Typer(
    rich_markup_mode=None,
    help="Kubernetes admission webhook: serve, replay, certificates.",
    no_args_is_help=True,
)


def settings_from(
    prepared: PreparedPolicies,
    *,
    mode: Mode,
    fail_on: FailOn | None,
    on_error: OnError,
    budget: float,
    own_namespace: str,
    exempt: list[str],
) -> WebhookSettings:
    """Webhook settings from the config's ``webhook`` section and the command line."""
    values = prepared.config.values
    section = values.get("webhook") or {}
    chosen = fail_on.value if fail_on else str(values.get("fail_on", "high"))
    return WebhookSettings(
        mode=mode,
        fail_on=None if chosen == "never" else Severity(chosen),
        unknown_fails=values.get("unknown") == "fail",
        exempt_namespaces=tuple(
            dict.fromkeys([*section.get("exempt_namespaces", ()), own_namespace, *exempt])
        ),
        namespace_environments=tuple((section.get("namespace_environments") or {}).items()),
        default_environment=str(
            section.get("default_environment") or values.get("default_environment") or "unknown"
        ),
        environment_from_labels=bool(section.get("environment_from_labels", False)),
        object_waiver_namespaces=tuple(section.get("object_waiver_namespaces") or ()),
        trusted_controllers=tuple(section.get("trusted_controllers") or ()),
        ratchet=bool(section.get("ratchet", True)),
        on_error=on_error,
        budget_seconds=budget,
    )


def _prepared(
    config: Path | None, engine: EngineName, policy_dir: list[Path] | None
) -> tuple[ScanOptions, PreparedPolicies]:
    """The scan options and compiled policies a webhook judges with (``serve`` and ``replay``
    alike), after printing the policies' warnings."""
    from guardrails.api import ScanOptions, prepare_policies, resolve_config

    options = ScanOptions(
        config_path=config,
        no_config=config is None,
        engine=engine.value,
        policy_dirs=tuple(policy_dir or ()),
    )
    prepared = prepare_policies(resolve_config([], options), options)
    for warning in prepared.warnings:
        print_warning(warning)
    return options, prepared


@webhook_app.command(cls=PanelledCommand)
def serve(
    cert: Annotated[
        Path, typer.Option("--cert", exists=True, dir_okay=False, help="Serving certificate (PEM).")
    ],
    key: Annotated[
        Path, typer.Option("--key", exists=True, dir_okay=False, help="Its private key (PEM).")
    ],
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "0.0.0.0",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="HTTPS port.")] = 8443,
    config: ConfigOpt = None,
    mode: Annotated[
        Mode,
        typer.Option(
            "--mode", help="enforce: deny; warn: allow with warnings; audit: allow and log."
        ),
    ] = Mode.ENFORCE,
    fail_on: Annotated[
        FailOn | None,
        typer.Option("--fail-on", help="Deny at or above this severity (default: config fail_on)."),
    ] = None,
    engine: Annotated[
        EngineName, typer.Option("--engine", help="Policy engine.")
    ] = EngineName.AUTO,
    policy_dir: PolicyDirOpt = None,
    on_error: Annotated[
        OnError,
        typer.Option("--on-error", help="Answer when evaluation fails or runs over budget."),
    ] = OnError.DENY,
    budget: Annotated[
        float, typer.Option("--eval-budget", min=0.001, help="Seconds an evaluation may take.")
    ] = 2.0,
    namespace: Annotated[
        str,
        typer.Option(
            "--namespace", envvar="POD_NAMESPACE", help="The webhook's own namespace (exempt)."
        ),
    ] = "guardrails",
    exempt_namespace: Annotated[
        list[str] | None,
        typer.Option("--exempt-namespace", help="Also exempt this namespace glob (repeatable)."),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="Evaluation threads.")
    ] = 4,
    reload_every: Annotated[
        float,
        typer.Option(
            "--cert-check-every", min=0.1, help="Seconds between certificate file checks."
        ),
    ] = 5.0,
    read_timeout: Annotated[
        float,
        typer.Option(
            "--read-timeout",
            min=0.1,
            help="Seconds a client has for the TLS handshake, then for each complete request; "
            "also the keep-alive idle time.",
        ),
    ] = 5.0,
    max_idle_per_client: Annotated[
        int,
        typer.Option(
            "--max-idle-per-client",
            min=1,
            help="Idle connections one client address may hold (over it: the oldest closed).",
        ),
    ] = 64,
    max_in_flight_mib: Annotated[
        float,
        typer.Option(
            "--max-in-flight-mib",
            min=3,
            help="MiB of reviews read, queued or judged at once (over it: HTTP 429).",
        ),
    ] = 8.0,
) -> None:
    """Serve POST /validate over HTTPS for Kubernetes admission reviews."""
    from guardrails.webhook.connections import ConnectionLimits
    from guardrails.webhook.judge import Judge, JudgeSpec
    from guardrails.webhook.metrics import WebhookMetrics
    from guardrails.webhook.server import WebhookApp
    from guardrails.webhook.server import serve as serve_https

    try:
        options, prepared = _prepared(config, engine, policy_dir)
        settings = settings_from(
            prepared,
            mode=mode,
            fail_on=fail_on,
            on_error=on_error,
            budget=budget,
            own_namespace=namespace,
            exempt=list(exempt_namespace or ()),
        )
        app = WebhookApp(
            Judge(prepared, settings),
            WebhookMetrics(prepared.catalog.policies),
            mode.value,
            workers,
            max_in_flight_bytes=int(max_in_flight_mib * 1024 * 1024),
            spec=JudgeSpec(options, settings),
        )
        limits = ConnectionLimits(read_timeout, max_idle_per_client)
        serve_https(
            app,
            cert=cert,
            key=key,
            host=host,
            port=port,
            reload_every=reload_every,
            limits=limits,
        )
    except GuardrailsError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:  # the port is taken, the address is not ours
        raise fail(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None


@webhook_app.command(cls=PanelledCommand, short_help="The webhook's answer to a captured review.")
def replay(
    review_file: Annotated[
        str, typer.Argument(help="A captured AdmissionReview (JSON), or '-' for standard input.")
    ],
    config: ConfigOpt = None,
    mode: Annotated[Mode, typer.Option("--mode", help="The server's --mode.")] = Mode.ENFORCE,
    fail_on: Annotated[
        FailOn | None,
        typer.Option("--fail-on", help="The server's --fail-on (default: config fail_on)."),
    ] = None,
    engine: Annotated[
        EngineName, typer.Option("--engine", help="Policy engine.")
    ] = EngineName.AUTO,
    policy_dir: PolicyDirOpt = None,
    namespace: Annotated[
        str, typer.Option("--namespace", help="The server's own namespace (exempt).")
    ] = "guardrails",
    exempt_namespace: Annotated[
        list[str] | None,
        typer.Option("--exempt-namespace", help="The server's --exempt-namespace globs."),
    ] = None,
    environment: Annotated[
        str | None,
        typer.Option(
            "--path-env", help="The environment of a /validate/<env> URL the review was sent to."
        ),
    ] = None,
) -> None:
    """Replay a captured AdmissionReview: the webhook's answer, as the server would give it
    with these settings (exit 0 allowed, 1 denied)."""
    import json

    from guardrails.inputs.safe_io import read_bytes
    from guardrails.webhook.judge import Judge
    from guardrails.webhook.review import BadReview, parse_review, response

    try:
        body = sys.stdin.buffer.read() if review_file == "-" else read_bytes(review_file)
        try:
            review = parse_review(body)
        except BadReview as exc:
            raise ConfigError(
                f"{review_file}: not an AdmissionReview the webhook accepts: {exc}"
            ) from None
        _, prepared = _prepared(config, engine, policy_dir)
        settings = settings_from(
            prepared,
            mode=mode,
            fail_on=fail_on,
            on_error=OnError.DENY,
            budget=3600.0,
            own_namespace=namespace,
            exempt=list(exempt_namespace or ()),
        )
        decision = Judge(prepared, settings).judge(review, environment)
    except GuardrailsError as exc:
        raise fail(str(exc)) from None
    answer = response(review["request"]["uid"], decision)
    typer.echo(json.dumps(answer, indent=2, ensure_ascii=False))
    raise typer.Exit(0 if decision.allowed else 1)


@webhook_app.command(cls=PanelledCommand, short_help="Make a CA and a serving certificate.")
def certs(
    service: Annotated[
        str, typer.Option("--service", help="The webhook's Service name.")
    ] = "guardrails-webhook",
    namespace: Annotated[str, typer.Option("--namespace", help="Its namespace.")] = "guardrails",
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Directory for ca.crt, tls.crt, tls.key.")
    ] = Path("certs"),
    dns: Annotated[
        list[str] | None, typer.Option("--dns", help="Extra DNS name (repeatable).")
    ] = None,
    ip: Annotated[
        list[str] | None,
        typer.Option("--ip", help="Extra IP address, e.g. 127.0.0.1 (repeatable)."),
    ] = None,
    days: Annotated[
        int, typer.Option("--days", min=1, max=3650, help="Validity of the serving certificate.")
    ] = 365,
) -> None:
    """Make a CA and a serving certificate for the webhook (reuses the CA in the directory)."""
    from guardrails.webhook.certs import write_certificates

    try:
        written = write_certificates(
            output, service, namespace, dns=list(dns or ()), ips=list(ip or ()), days=days
        )
    except GuardrailsError as exc:
        raise fail(str(exc)) from None
    for path in written:
        typer.echo(f"wrote {path}")
    typer.echo(
        f"caBundle (ValidatingWebhookConfiguration clientConfig): base64 -w0 {output / 'ca.crt'}"
    )


__all__ = ["certs", "replay", "serve", "settings_from", "webhook_app"]
