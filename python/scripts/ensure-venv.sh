#!/usr/bin/env bash
# Makes python/.venv with the OpenTelemetry Python SDK and its OTLP/HTTP exporter from PyPI, when
# it is missing or lacks them; does nothing otherwise. Progress goes to stderr; the LAST line on
# stdout is the venv's python, for callers:   py=$(bash python/scripts/ensure-venv.sh | tail -n 1)
# Exit code 3: no usable python3 (>= 3.10) on PATH.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3}"
packages=(opentelemetry-sdk==1.45.2 opentelemetry-exporter-otlp-proto-http==1.45.2)
log() { printf '[python venv] %s\n' "$*" >&2; }

command -v "$python" >/dev/null 2>&1 || { log "no $python on PATH"; exit 3; }
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' ||
  { log "$("$python" --version 2>&1) is too old: Python >= 3.10 is needed"; exit 3; }

# One installer at a time: two test files may ask together.
mkdir -p "$here"
exec 9>"$here/.venv.lock"
flock 9

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import opentelemetry.sdk.trace, opentelemetry.exporter.otlp.proto.http.trace_exporter' 2>/dev/null; then
  echo "$venv/bin/python"
  exit 0
fi
started=$(date +%s)
log "creating $venv and installing ${packages[*]} from PyPI"
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${packages[@]}" >&2
log "ready in $(( $(date +%s) - started )) s"
echo "$venv/bin/python"
