#!/usr/bin/env bash
# Makes python/.venv hold this package and its test extra (pytest, the OpenTelemetry SDK and OTLP
# exporter, langfuse, openinference-instrumentation-openai, openai), installed from PyPI.
# Creates the venv when it is missing, reinstalls when pyproject.toml, the sources or the Python
# interpreter changed, and does nothing otherwise. Progress goes to stderr; the LAST line on
# stdout is the venv's python, for callers:   py=$(python/scripts/ensure-venv.sh | tail -n 1)
# Environment: PYTHON (default python3) picks the interpreter; Python >= 3.10 is required.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3}"
log() { printf '[python venv] %s\n' "$*" >&2; }

command -v "$python" >/dev/null 2>&1 || { log "no $python on PATH"; exit 3; }
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' ||
  { log "$("$python" --version 2>&1) is too old: Python >= 3.10 is needed"; exit 3; }

hash_of() { sha256sum | cut -c1-16; }
interpreter="$("$python" -c 'import sys; print(sys.version)')"
deps_stamp="$( { printf '%s\n' "$interpreter"; cat "$here/pyproject.toml"; } | hash_of)"
code_stamp="$( { printf '%s\n' "$deps_stamp"; find "$here/src" -type f ! -path '*/__pycache__/*' ! -name '*.pyc' -print0 | sort -z | xargs -0 cat; } | hash_of)"

# One installer at a time: two test runners may start together.
exec 9>"$here/.venv.lock"
flock 9

if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.code-stamp" 2>/dev/null)" = "$code_stamp" ]; then
  echo "$venv/bin/python"
  exit 0
fi

started=$(date +%s)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.deps-stamp" 2>/dev/null)" != "$deps_stamp" ]; then
  log "creating $venv with $("$python" --version 2>&1) and installing ./python[test] from PyPI"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$here[test]" >&2
  echo "$deps_stamp" > "$venv/.deps-stamp"
else
  log "sources changed: reinstalling mini-agent-otel into $venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --force-reinstall "$here" >&2
fi
echo "$code_stamp" > "$venv/.code-stamp"
log "ready in $(( $(date +%s) - started )) s"
echo "$venv/bin/python"
