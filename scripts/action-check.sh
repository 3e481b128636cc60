#!/usr/bin/env bash
# The check step of action.yml: inputs arrive as INPUT_* environment variables (never pasted
# into the script, so a path or config name cannot inject shell code).
set -euo pipefail

# Reports go to a fresh directory this run creates (nothing a pull request committed can be
# there), unless the workflow names a path; a named path is emptied first, and an output is
# published only when this run wrote it, so a run that fails before writing never hands a
# planted guardrails-comment.md to the comment or upload steps.
out_dir="$(mktemp -d "${RUNNER_TEMP:-/tmp}/guardrails-${GITHUB_RUN_ID:-local}-XXXXXX")"
INPUT_SARIF_FILE="${INPUT_SARIF_FILE:-$out_dir/guardrails.sarif}"
INPUT_COMMENT_FILE="${INPUT_COMMENT_FILE:-$out_dir/guardrails-comment.md}"
for file in "$INPUT_SARIF_FILE" "$INPUT_COMMENT_FILE"; do
  if [[ -d "$file" && ! -L "$file" ]]; then
    echo "::error title=guardrails::output path '$file' is a directory"; exit 2
  fi
  rm -f -- "$file"
done

args=(check --format github --no-progress)
args+=(--output "sarif=$INPUT_SARIF_FILE" --output "markdown=$INPUT_COMMENT_FILE")
case "${INPUT_FORMAT:-github}" in
  github) ;;
  sarif) report="$INPUT_SARIF_FILE" ;;
  markdown) report="$INPUT_COMMENT_FILE" ;;
  table | json | junit)
    report="$out_dir/guardrails-report.$INPUT_FORMAT"
    args+=(--output "$INPUT_FORMAT=$report") ;;
  *) echo "::error title=guardrails::format must be github, table, json, sarif, junit or markdown, not '$INPUT_FORMAT'"; exit 2 ;;
esac
[[ -n "${INPUT_FAIL_ON:-}" ]] && args+=(--fail-on "$INPUT_FAIL_ON")
# A pinned config is the only one: a different .guardrails.yaml in the change is an error.
[[ -n "${INPUT_CONFIG:-}" ]] && args+=(--config "$INPUT_CONFIG" --pin-config)
[[ -n "${INPUT_BASELINE:-}" ]] && args+=(--baseline "$INPUT_BASELINE")
[[ -n "${INPUT_ENGINE:-}" ]] && args+=(--engine "$INPUT_ENGINE")
[[ -n "${INPUT_OPA_URL:-}" ]] && args+=(--opa-url "$INPUT_OPA_URL")
read -r -d '' -a policy_dirs <<<"${INPUT_POLICY_DIR:-}" || true
for dir in ${policy_dirs[@]+"${policy_dirs[@]}"}; do args+=(--policy-dir "$dir"); done
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

# On pull requests only what the change makes new or worse fails: the same paths at the base
# commit (a worktree under this run's directory) are the base; a plan is its own base.
is_pr=false
[[ "${EVENT_NAME:-}" == pull_request || "${EVENT_NAME:-}" == pull_request_target ]] && is_pr=true
case "${INPUT_FAIL_ON_NEW:-auto}" in
  true) gate=true ;;
  false) gate=false ;;
  auto) gate=$is_pr ;;
  *) echo "::error title=guardrails::fail-on-new must be auto, true or false, not '$INPUT_FAIL_ON_NEW'"; exit 2 ;;
esac
base_ref="${INPUT_BASE_REF:-${BASE_REF:-}}"
if [[ $gate == true ]]; then
  args+=(--fail-on-new)
  if [[ "$base_ref" == -* ]]; then
    echo "::error title=guardrails::base-ref must not start with '-'"; exit 2
  fi
  if [[ -n "$base_ref" ]]; then
    if git fetch --quiet --no-tags --depth=1 origin "$base_ref" 2>/dev/null; then
      base_commit="$(git rev-parse FETCH_HEAD)"
    # Without credentials to fetch (persist-credentials: false), a full clone
    # (fetch-depth: 0) still has the base as a local or remote-tracking ref.
    elif ! base_commit="$(git rev-parse --verify --quiet "$base_ref^{commit}")" &&
      ! base_commit="$(git rev-parse --verify --quiet "origin/$base_ref^{commit}")"; then
      echo "::error title=guardrails::base-ref '$base_ref' cannot be fetched or found (fetch-depth: 0 or the checkout's credentials are needed)"; exit 2
    fi
    base_dir="$out_dir/base"
    git worktree add --quiet --detach "$base_dir" "$base_commit"
    trap 'git worktree remove --force "$base_dir" >/dev/null 2>&1 || true' EXIT
    for path in "${paths[@]}"; do
      if [[ "$path" == /* ]]; then
        echo "::warning title=guardrails::$path is absolute: it has no base (its findings count as new)"
      else
        args+=(--base "$base_dir/$path")
      fi
    done
  fi
fi

status=0
# The install step's private venv, by full path (it is never put on the job's PATH).
"${GUARDRAILS:?the install step did not say where guardrails is}" "${args[@]}" -- "${paths[@]}" || status=$?

# Only regular files this run wrote (each path was removed above); empty otherwise.
written() { if [[ -f "$1" && ! -L "$1" ]]; then echo "$1"; fi; }
{
  echo "sarif-file=$(written "$INPUT_SARIF_FILE")"
  echo "comment-file=$(written "$INPUT_COMMENT_FILE")"
} >> "$GITHUB_OUTPUT"
if [[ -n "${report:-}" && -f "$report" ]]; then
  echo "::group::guardrails report ($INPUT_FORMAT)"
  cat "$report"
  echo "::endgroup::"
fi
exit "$status"
