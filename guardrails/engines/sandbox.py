"""User policies evaluated in a child process that can be stopped: bounded time and memory.

Neither embedded engine can bound one evaluation in process: opa-golib-python-bindings
exposes no context, cancellation, time limit or capabilities (a blocking ctypes call into Go),
and regopy has no such options. ``numbers.range(1, 200000000)`` took both past 3 GB. So the
policies the project does not ship run in a child process (``python -m
guardrails.engines.sandbox``) that the parent watches: its resident memory is read from
``/proc`` every few milliseconds and it is killed at the limit or the deadline. RLIMIT_AS
cannot do this: regopy reserves 268 GB of address space at start (the OPA library 1.7 GB).

The child also gets a reduced environment (no CI secret in reach, whatever a policy calls),
and nothing it prints reaches the user's terminal or CI log (a policy's ``print`` goes
nowhere, as in OPA's library by default).
"""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guardrails.engines.base import naming_input
from guardrails.engines.scoped import PolicyPlan
from guardrails.errors import EngineError, GuardrailsError

#: The child process: backend, request file and response file are its arguments.
CHILD_COMMAND = [sys.executable, "-m", "guardrails.engines.sandbox"]
#: Default wall-clock seconds for one evaluation of the user policies.
DEFAULT_TIMEOUT_S = 120.0
#: Default memory: a floor for small inputs, plus this many bytes per byte of input JSON (an
#: engine holds a document as terms at ~25x (OPA) to ~50x (regopy) its JSON size).
MEMORY_FLOOR_MB = 512
MEMORY_PER_INPUT_BYTE = 64
POLL_S = 0.01
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
#: Environment variables a child keeps: what the interpreter needs to start and find
#: guardrails (a user install, a shared libpython) and the Go runtime's tuning; nothing else,
#: so no CI secret is in reach of a policy. With the network allowed, also what http.send
#: honours (proxies, CA files).
KEEP_ENV = (
    "PATH",
    "HOME",
    "USERPROFILE",
    "APPDATA",
    "LOCALAPPDATA",
    "SYSTEMROOT",
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONUSERBASE",
    "PYTHONNOUSERSITE",
    "LD_LIBRARY_PATH",
    "DYLD_LIBRARY_PATH",
    "LANG",
    "LC_ALL",
    "TMPDIR",
    "GOGC",
    "GOMEMLIMIT",
)
NETWORK_ENV = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
)


@dataclass(frozen=True)
class UserPolicyLimits:
    """What policies the project does not ship may do: reach the network (opt-in), and for
    how long and in how much memory one evaluation runs."""

    allow_network: bool = False
    timeout_s: float = DEFAULT_TIMEOUT_S
    #: None: MEMORY_FLOOR_MB plus MEMORY_PER_INPUT_BYTE per byte of input JSON.
    memory_mb: int | None = None

    def memory_bytes(self, input_bytes: int) -> int:
        """The resident-memory limit of a child evaluating ``input_bytes`` of input JSON."""
        if self.memory_mb is not None:
            return self.memory_mb << 20
        return (MEMORY_FLOOR_MB << 20) + MEMORY_PER_INPUT_BYTE * input_bytes


@dataclass(frozen=True)
class _Watched:
    returncode: int
    peak_rss: int
    stopped: str | None  # "memory", "time" or None


def _rss(statm: int | None) -> int | None:
    """Resident bytes from an open ``/proc/<pid>/statm`` (re-read in place: no open per
    poll, which cost ~40 µs CPU each, 100 times a second)."""
    if statm is None:
        return None
    try:
        return int(os.pread(statm, 128, 0).split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


def _watch(process: subprocess.Popen[bytes], limit: int, timeout_s: float) -> _Watched:
    """Wait for ``process``, killing it when its RSS passes ``limit`` or at the deadline."""
    deadline = time.monotonic() + timeout_s
    peak = 0
    try:
        statm: int | None = os.open(f"/proc/{process.pid}/statm", os.O_RDONLY)
    except OSError:  # no /proc (not Linux): the deadline still holds
        statm = None
    try:
        while (code := process.poll()) is None:
            rss = _rss(statm) or 0
            peak = max(peak, rss)
            stopped = "memory" if rss > limit else "time" if time.monotonic() > deadline else None
            if stopped:
                process.kill()
                return _Watched(process.wait(), peak, stopped)
            time.sleep(POLL_S)
        return _Watched(code, peak, None)
    finally:
        if statm is not None:
            os.close(statm)


def _child_env(limits: UserPolicyLimits) -> dict[str, str]:
    keep = KEEP_ENV + (NETWORK_ENV if limits.allow_network else ())
    env = {k: v for k, v in os.environ.items() if k in keep}
    return env


def evaluate_isolated(
    backend: str,
    sources: list[tuple[str, str]],
    data: dict[str, Any],
    input_doc: dict[str, Any],
    policy_plans: Sequence[PolicyPlan],
    labels: dict[str, str],
    limits: UserPolicyLimits,
    files: Sequence[str],
) -> dict[str, Any]:
    """``{package key: {"deny": value}}`` from a child process on ``backend`` within
    ``limits``; ``files`` (the user policy files) are named by every error."""
    payload = {
        "sources": sources,
        "data": data,
        "input": input_doc,
        "plans": [p.to_json() for p in policy_plans],
        "labels": labels,
    }
    result: dict[str, Any] = run_isolated("deny", backend, payload, limits, files)
    return result


def run_isolated(
    task: str, backend: str, payload: dict[str, Any], limits: UserPolicyLimits, files: Sequence[str]
) -> Any:
    """The result of ``task`` (``deny``: findings; ``unit``: Rego unit tests, see
    :mod:`guardrails.engines.unit_tests`) on ``payload``, from a child process on ``backend``
    within ``limits``; ``files`` (the user policy files) are named by every error."""
    named = ", ".join(sorted(files)[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
    with tempfile.TemporaryDirectory(prefix="guardrails-rego-") as tmp:
        request, response = Path(tmp) / "request.json", Path(tmp) / "response.json"
        text = json.dumps(payload, allow_nan=False)
        request.write_text(text, encoding="utf-8")
        memory = limits.memory_bytes(len(text))
        del text, payload  # not held while the child runs
        process = subprocess.Popen(
            [*CHILD_COMMAND, task, backend, str(request), str(response)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,  # a policy's print() goes nowhere
            stderr=subprocess.DEVNULL,
            env=_child_env(limits),
        )
        try:
            watched = _watch(process, memory, limits.timeout_s)
        except BaseException:  # Ctrl-C or SIGTERM: never leave the child running
            process.kill()
            process.wait()
            raise
        if watched.stopped == "memory":
            raise EngineError(
                f"{named}: evaluation stopped at the memory limit of {memory >> 20} MB "
                "(--policy-memory-mb); declare `custom.input: resources` if the policy "
                "judges one resource at a time"
            )
        if watched.stopped == "time":
            raise EngineError(
                f"{named}: evaluation stopped after {limits.timeout_s:g} s (--policy-timeout)"
            )
        if watched.returncode < 0:
            name = signal.Signals(-watched.returncode).name
            raise EngineError(
                f"{named}: the Rego engine ({backend}) crashed ({name}) compiling or evaluating "
                "them: an engine bug, not necessarily a policy error"
                + (
                    "; install the OPA library (opa-golib-python-bindings) or use --engine opa"
                    if backend == "regopy"
                    else ""
                )
            )
        try:
            answer: dict[str, Any] = json.loads(response.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise EngineError(
                f"{named}: the Rego child process failed (exit {watched.returncode}) "
                "without a result"
            ) from None
    if "error" in answer:
        # The child has no current_input (a context variable): name the input here, as the
        # in-process engines do, before the policy file OPA's message names.
        raise EngineError(naming_input(str(answer["error"])))
    return answer["result"]


def _child_main(task: str, backend: str, request: str, response: str) -> int:
    from guardrails.engines.embedded import evaluate_on

    # A short-lived process whose memory the parent bounds: the cyclic GC would only rescan
    # the input's objects again and again (as the CLI, which pauses it too).
    gc.disable()
    payload = json.loads(Path(request).read_text(encoding="utf-8"))
    try:
        if task == "unit":
            # only this task reads the catalog: the policy child stays without it
            from guardrails.engines.unit_tests import evaluate_unit_tests

            answer: dict[str, Any] = {"result": evaluate_unit_tests(backend, **payload)}
            Path(response).write_text(json.dumps(answer), encoding="utf-8")
            return 0
        result = evaluate_on(
            backend,
            [(name, text) for name, text in payload["sources"]],
            payload["data"],
            payload["input"],
            [PolicyPlan.from_json(p) for p in payload["plans"]],
            payload["labels"],
        )
        answer = {"result": result}
    except GuardrailsError as exc:
        answer = {"error": str(exc)}
    except Exception as exc:  # a bug: the parent shows the type, never a policy's output
        answer = {"error": f"Rego evaluation failed in the child process: {type(exc).__name__}"}
    Path(response).write_text(json.dumps(answer), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]))
