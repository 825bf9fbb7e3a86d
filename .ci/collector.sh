# Sourced by .ci/run: builds the project's OpenTelemetry Collector (collector/build.sh, reused
# while collector/manifest.yaml is unchanged) and exports MINI_AGENT_OTELCOL for the Collector
# tests. Without Go, or when the build fails, it exports MINI_AGENT_OTELCOL_UNAVAILABLE instead:
# the Collector tests are then skipped and print that reason.
#
# collector_start begins the build in the background, so that its module downloads and compile
# overlap the other installs (Chromium, PostgreSQL, the Node binaries); collector_wait waits for
# it, prints its log and exports the result. Call them in that order, once each.
collector_start() {
  collector_started=$(date +%s)
  collector_log=$(mktemp /tmp/mini-agent-ci-collector.XXXXXX)
  bash collector/build.sh >"$collector_log.out" 2>"$collector_log" &
  collector_pid=$!
}

collector_wait() {
  wait "$collector_pid"
  local rc=$?
  cat "$collector_log" >&2
  if [ "$rc" = 0 ]; then
    export MINI_AGENT_OTELCOL="$(tail -n 1 "$collector_log.out")"
    log "Collector: $MINI_AGENT_OTELCOL (ready $(( $(date +%s) - collector_started )) s after its build started)"
  elif [ "$rc" = 3 ]; then
    export MINI_AGENT_OTELCOL_UNAVAILABLE="Go is not installed, so collector/build.sh could not build the Collector"
    log "$MINI_AGENT_OTELCOL_UNAVAILABLE: the Collector tests are skipped"
  else
    export MINI_AGENT_OTELCOL_UNAVAILABLE="collector/build.sh failed (exit $rc; its output is above)"
    log "$MINI_AGENT_OTELCOL_UNAVAILABLE: the Collector tests are skipped"
  fi
  rm -f "$collector_log" "$collector_log.out"
}
