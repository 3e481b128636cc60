"""docs/gitlab/.gitlab-ci.yml, run as GitLab would run its script on a merge request: a real
git origin holding the target branch, the real guardrails, and a fake GitLab API that only
takes the note POST. The base already fails; only the new finding fails the job."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from tests.conftest import ROOT
from tests.ledger import cases
from tests.ledger.test_codequality import SCHEMA

TEMPLATE = yaml.safe_load((ROOT / "docs" / "gitlab" / ".gitlab-ci.yml").read_text())["guardrails"]


class _Notes(BaseHTTPRequestHandler):
    posted: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        _Notes.posted.append(
            {
                "path": self.path,
                "token": self.headers["PRIVATE-TOKEN"],
                "body": json.loads(self.rfile.read(length))["body"],
            }
        )
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"id": 1}')

    def log_message(self, *args: Any) -> None:
        pass


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@e", *args], cwd=cwd, check=True)


def test_template_script_posts_the_ledger_and_fails_only_on_the_new_finding(
    tmp_path: Path,
) -> None:
    origin, work = tmp_path / "origin.git", tmp_path / "work"
    git("init", "-q", "--bare", "-b", "main", str(origin), cwd=tmp_path)
    (work / "k8s").mkdir(parents=True)
    (work / "k8s" / "serving.yaml").write_text(cases.deployment("llm", 2))  # already fails
    git("init", "-q", "-b", "main", cwd=work)
    git("add", ".", cwd=work)
    git("commit", "-qm", "base", cwd=work)
    git("remote", "add", "origin", str(origin), cwd=work)
    git("push", "-q", "origin", "main", cwd=work)
    git("checkout", "-q", "-b", "feature", cwd=work)
    (work / "k8s" / "extra.yaml").write_text(cases.deployment("web", 1, gpus=0, privileged=True))

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Notes)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Notes.posted.clear()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "CI_"))},
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GUARDRAILS_PATHS": "k8s",
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
        "CI_API_V4_URL": f"http://127.0.0.1:{server.server_address[1]}/api/v4",
        "CI_PROJECT_ID": "42",
        "CI_MERGE_REQUEST_IID": "7",
        "GUARDRAILS_GITLAB_TOKEN": "glpat-test",
    }
    try:
        result = subprocess.run(
            ["bash", "-c", "\n".join(TEMPLATE["script"])],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        server.shutdown()
    assert result.returncode == 1, result.stdout + result.stderr
    assert "merge-request note posted (201)" in result.stdout
    [note] = _Notes.posted
    assert note["path"] == "/api/v4/projects/42/merge_requests/7/notes"
    assert note["token"] == "glpat-test"
    assert note["body"] == (work / "guardrails-comment.md").read_text()
    assert "1 new or escalated finding(s) block" in note["body"]
    assert "Deployment/ml-dev/web" in note["body"].split("### 🆕")[1].split("<details>")[0]
    report = json.loads((work / "gl-code-quality-report.json").read_text())
    jsonschema.validate(report, SCHEMA)
    assert {i["location"]["path"] for i in report} == {"k8s/serving.yaml", "k8s/extra.yaml"}
    assert TEMPLATE["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
