#!/usr/bin/env bash
# migobs CI check (the logic of action.yml and of the `migobs-check` pre-commit hook; docs/deploy.md#ci):
#   1. migobs validate            on the changed definitions
#   2. migobs lint --format github on the changed definitions (drift of the committed output included)
#   3. migobs generate --check    on every definition (stale, missing or extra committed files)
#   4. promtool test rules        on freshly generated tests of the changed definitions
# Every step runs even when an earlier one failed, so one run shows every problem. Exit 1 if any failed.
#
# Changed definitions: the file arguments (pre-commit passes them), else those that differ from
# MIGOBS_BASE_REF (git diff BASE...HEAD), else every definition. With GITHUB_ACTIONS=true (or
# MIGOBS_ANNOTATE=true) problems are printed as GitHub workflow commands (::error file=...,line=...::),
# which become annotations on the pull request.
#
# Settings (environment):
#   MIGOBS_DEFINITIONS  glob(s) of the definitions, space-separated (default: migrations/*.yaml)
#   MIGOBS_OUT_DIR      the committed output folder (default: out)
#   MIGOBS_BASE_REF     git ref to diff against, e.g. origin/main (default: none = every definition)
#   MIGOBS_FLAVORS      flavours the output was generated with, space-separated (default: the config's)
#   MIGOBS_BIN          how to run migobs (default: npx --no-install migobs)
#   PROMTOOL            the promtool binary (default: promtool)
set -uo pipefail
shopt -s nullglob globstar

DEFINITIONS=${MIGOBS_DEFINITIONS:-migrations/*.yaml}
OUT_DIR=${MIGOBS_OUT_DIR:-out}
BASE_REF=${MIGOBS_BASE_REF:-}
PROMTOOL=${PROMTOOL:-promtool}
read -r -a MIGOBS <<<"${MIGOBS_BIN:-npx --no-install migobs}"
read -r -a FLAVOR_NAMES <<<"${MIGOBS_FLAVORS:-}"
ANNOTATE=${MIGOBS_ANNOTATE:-${GITHUB_ACTIONS:-false}}

FLAVOR_ARGS=()
for f in "${FLAVOR_NAMES[@]}"; do FLAVOR_ARGS+=(--flavor "$f"); done

# A workflow command's data must have %, CR and LF escaped; properties also : and ,.
escape_data() { local s=${1//%/%25}; s=${s//$'\r'/%0D}; printf '%s' "${s//$'\n'/%0A}"; }
escape_prop() { local s; s=$(escape_data "$1"); s=${s//:/%3A}; printf '%s' "${s//,/%2C}"; }

# annotate LEVEL FILE LINE COL MESSAGE: an annotation in CI, a plain line elsewhere.
annotate() {
  local level=$1 file=$2 line=$3 col=$4 message=$5
  if [[ $ANNOTATE == true ]]; then
    local props="file=$(escape_prop "$file")"
    [[ -n $line ]] && props+=",line=$line"
    [[ -n $col ]] && props+=",col=$col"
    printf '::%s %s::%s\n' "$level" "$props" "$(escape_data "$message")"
  else
    printf '%s%s%s: %s: %s\n' "$file" "${line:+:$line}" "${col:+:$col}" "$level" "$message"
  fi
}

# annotate_output TEXT: each `file:line:col: message` line of migobs' output becomes an error
# annotation; `stale|missing|extra: <path> ...` lines (generate --check) become file annotations;
# other lines are printed as they are.
annotate_output() {
  local line
  while IFS= read -r line; do
    if [[ $line =~ ^(stale|missing|extra):\ +([^ ]+)(.*)$ ]]; then
      annotate error "${BASH_REMATCH[2]}" '' '' "${BASH_REMATCH[1]}${BASH_REMATCH[3]}: the committed output does not match the definitions; run migobs generate and commit the result"
    elif [[ $line =~ ^(.+):([0-9]+):([0-9]+):\ (.*)$ ]]; then
      annotate error "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}" "${BASH_REMATCH[4]}"
    elif [[ -n $line ]]; then
      printf '%s\n' "$line"
    fi
  done <<<"$1"
}

group() { [[ $ANNOTATE == true ]] && printf '::group::%s\n' "$1" || printf '== %s\n' "$1"; }
endgroup() { [[ $ANNOTATE == true ]] && printf '::endgroup::\n'; return 0; }

# Every definition (the globs), and the changed ones.
ALL=()
for pattern in $DEFINITIONS; do
  for f in $pattern; do [[ -f $f ]] && ALL+=("$f"); done
done
CHANGED=()
if (($# > 0)); then
  for f in "$@"; do [[ -f $f ]] && CHANGED+=("$f"); done
elif [[ -n $BASE_REF ]]; then
  declare -A IS_DEF=()
  for f in "${ALL[@]}"; do IS_DEF[$f]=1; done
  while IFS= read -r -d '' f; do
    [[ -n ${IS_DEF[$f]:-} ]] && CHANGED+=("$f")
  done < <(git diff --name-only -z --diff-filter=ACMR "$BASE_REF...HEAD" --)
else
  CHANGED=("${ALL[@]}")
fi

if ((${#ALL[@]} == 0)); then
  echo "migobs-check: no definitions match $DEFINITIONS (set MIGOBS_DEFINITIONS)" >&2
  exit 1
fi

failed=0
validate_rc=0

if ((${#CHANGED[@]} > 0)); then
  group "migobs validate (${#CHANGED[@]} changed definition(s))"
  validate_out=$("${MIGOBS[@]}" validate "${CHANGED[@]}" 2>&1)
  validate_rc=$?
  annotate_output "$validate_out"
  endgroup
  ((validate_rc != 0)) && failed=1

  group 'migobs lint'
  lint_format=text
  [[ $ANNOTATE == true ]] && lint_format=github
  "${MIGOBS[@]}" lint --format "$lint_format" --out-dir "$OUT_DIR" "${CHANGED[@]}" || failed=1
  endgroup
else
  echo 'migobs-check: no definition changed: validate, lint and promtool tests skipped'
fi

group 'migobs generate --check (every definition)'
check_out=$("${MIGOBS[@]}" generate "${ALL[@]}" --out-dir "$OUT_DIR" --check "${FLAVOR_ARGS[@]}" 2>&1)
check_rc=$?
annotate_output "$check_out"
endgroup
((check_rc != 0)) && failed=1

if ((${#CHANGED[@]} > 0)) && ((validate_rc == 0)); then
  group 'promtool test rules (changed definitions, freshly generated)'
  if ! command -v "$PROMTOOL" >/dev/null 2>&1; then
    annotate error "${CHANGED[0]}" '' '' "promtool is not installed: the generated rule tests cannot run (install the prometheus package or set PROMTOOL)"
    failed=1
  else
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    if "${MIGOBS[@]}" generate "${CHANGED[@]}" --out-dir "$tmp" --quiet --flavor files; then
      for t in "$tmp"/prometheus/tests/*.test.yaml; do
        id=$(basename "$t" .test.yaml)
        # From the output folder: the test's rule_files (../rules/<id>.yaml) resolve relative to the test file.
        if ! test_out=$(cd "$tmp" && "$PROMTOOL" test rules "prometheus/tests/$id.test.yaml" 2>&1); then
          printf '%s\n' "$test_out"
          # The definition of this id: the changed file whose generated rules are named after it.
          for f in "${CHANGED[@]}"; do
            if grep -qE "^[[:space:]]+id:[[:space:]]*['\"]?$id['\"]?[[:space:]]*(#.*)?$" "$f"; then src=$f; fi
          done
          annotate error "${src:-${CHANGED[0]}}" '' '' "promtool test rules failed for the generated tests of $id (run: migobs generate, then promtool test rules $OUT_DIR/prometheus/tests/$id.test.yaml)"
          failed=1
        else
          printf '%s: %s\n' "$id" "${test_out//$'\n'/ }"
        fi
      done
    else
      failed=1
    fi
  fi
  endgroup
fi

if ((failed)); then
  echo 'migobs-check: FAILED (see the problems above)' >&2
  exit 1
fi
echo 'migobs-check: ok'
