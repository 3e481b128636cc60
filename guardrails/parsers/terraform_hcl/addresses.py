"""Resource addresses as a plan writes them: instance keys stripped, module calls found."""

from __future__ import annotations

from guardrails.model import Graph


def root_addresses(graph: Graph) -> set[str]:
    """Blocks a plan's root module declares (``aws_instance.gpu``, ``module.eks``)."""
    return {strip_keys(r.address) for r in graph.resources if not r.module}


def strip_keys(address: str) -> str:
    """``module.a["x"].aws_y.z[0]`` -> ``module.a.aws_y.z`` (instance keys removed)."""
    out = []
    depth = 0
    quoted = False
    for ch in address:
        if ch == '"' and depth:
            quoted = not quoted
        elif ch == "[" and not quoted:
            depth += 1
        elif ch == "]" and not quoted:
            depth -= 1
        elif not depth:
            out.append(ch)
    return "".join(out)


def strip_last_key(module: str) -> str:
    """The call node a module instance belongs to: ``module.a.module.b["k"]`` -> ``...b``."""
    if module.endswith("]"):
        depth = 0
        for i in range(len(module) - 1, -1, -1):
            if module[i] == "]":
                depth += 1
            elif module[i] == "[":
                depth -= 1
                if depth == 0:
                    return module[:i]
    return module
