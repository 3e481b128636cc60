#!/usr/bin/env bash
# The check step of action.yml: inputs arrive as INPUT_* environment variables (never pasted
# into the script, so a path or config name cannot inject shell code).
set -euo pipefail

args=(check --format github --no-progress)
args+=(--output "sarif=$INPUT_SARIF_FILE" --output "markdown=$INPUT_COMMENT_FILE")
case "${INPUT_FORMAT:-github}" in
  github) ;;
  sarif) report="$INPUT_SARIF_FILE" ;;
  markdown) report="$INPUT_COMMENT_FILE" ;;
  table | json | junit)
    report="${RUNNER_TEMP:-/tmp}/guardrails-report.$INPUT_FORMAT"
    args+=(--output "$INPUT_FORMAT=$report") ;;
  *) echo "::error title=guardrails::format must be github, table, json, sarif, junit or markdown, not '$INPUT_FORMAT'"; exit 2 ;;
esac
[[ -n "${INPUT_FAIL_ON:-}" ]] && args+=(--fail-on "$INPUT_FAIL_ON")
[[ -n "${INPUT_CONFIG:-}" ]] && args+=(--config "$INPUT_CONFIG")
[[ -n "${INPUT_ENGINE:-}" ]] && args+=(--engine "$INPUT_ENGINE")
[[ -n "${INPUT_OPA_URL:-}" ]] && args+=(--opa-url "$INPUT_OPA_URL")
case "${INPUT_CHANGED_ONLY:-auto}" in
  true) args+=(--changed-only) ;;
  false) args+=(--all-resources) ;;
  auto)
    if [[ "${EVENT_NAME:-}" == pull_request || "${EVENT_NAME:-}" == pull_request_target ]]; then
      args+=(--changed-only)
    fi ;;
  *) echo "::error title=guardrails::changed-only must be auto, true or false, not '$INPUT_CHANGED_ONLY'"; exit 2 ;;
esac

# Paths: split on spaces, tabs and new lines; `read` never expands globs or variables.
read -r -d '' -a paths <<<"${INPUT_PATHS:-.}" || true
[[ ${#paths[@]} -gt 0 ]] || paths=(.)

{
  echo "sarif-file=$INPUT_SARIF_FILE"
  echo "comment-file=$INPUT_COMMENT_FILE"
} >> "$GITHUB_OUTPUT"

status=0
guardrails "${args[@]}" -- "${paths[@]}" || status=$?
if [[ -n "${report:-}" && -f "$report" ]]; then
  echo "::group::guardrails report ($INPUT_FORMAT)"
  cat "$report"
  echo "::endgroup::"
fi
exit "$status"
