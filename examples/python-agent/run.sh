#!/usr/bin/env bash
# One command: a virtual environment with mini-agent-otel (pip install ./python), the bridge
# (`mini-agent-otel serve`, into DATABASE_URL or the embedded database in .mini-agent/pglite),
# the agent, and the report of what landed. Run from anywhere: examples/python-agent/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cli="$root/packages/cli/dist/bin.js"
port="${PORT:-4319}"
export MINI_AGENT_BRIDGE_TOKEN="${MINI_AGENT_BRIDGE_TOKEN:-example-$RANDOM$RANDOM}"

[ -f "$cli" ] || (cd "$root" && pnpm install --frozen-lockfile && pnpm build)
if [ ! -x "$here/.venv/bin/python" ]; then
  echo "creating $here/.venv and installing mini-agent-otel from $root/python"
  python3 -m venv "$here/.venv"
  "$here/.venv/bin/pip" install --quiet --disable-pip-version-check "$root/python"
fi

db_flags=()
[ -n "${DATABASE_URL:-}" ] || db_flags=(--data-dir "$root/.mini-agent/pglite")
log="$(mktemp)"
node "$cli" serve --port "$port" "${db_flags[@]}" >"$log" 2>&1 &
bridge=$!
trap 'kill "$bridge" 2>/dev/null || true; rm -f "$log"' EXIT
until grep -q "sinks ready" "$log"; do
  kill -0 "$bridge" 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.2
done

OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$port" "$here/.venv/bin/python" "$here/agent.py" "$@"
kill -TERM "$bridge" && wait "$bridge" || true   # the bridge stores what it holds, then exits
node "$cli" report --since 1h "${db_flags[@]}"
