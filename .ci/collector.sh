# Sourced by .ci/run: builds the project's OpenTelemetry Collector (collector/build.sh, reused
# while collector/manifest.yaml is unchanged) and exports MINI_AGENT_OTELCOL for the Collector
# tests. Without Go, or when the build fails, it exports MINI_AGENT_OTELCOL_UNAVAILABLE instead:
# the Collector tests are then skipped and print that reason.
collector_started=$(date +%s)
collector_out=$(bash collector/build.sh)
collector_rc=$?
if [ "$collector_rc" = 0 ]; then
  export MINI_AGENT_OTELCOL="$(printf '%s\n' "$collector_out" | tail -n 1)"
  log "Collector: $MINI_AGENT_OTELCOL ($(( $(date +%s) - collector_started )) s)"
elif [ "$collector_rc" = 3 ]; then
  export MINI_AGENT_OTELCOL_UNAVAILABLE="Go is not installed, so collector/build.sh could not build the Collector"
  log "$MINI_AGENT_OTELCOL_UNAVAILABLE: the Collector tests are skipped"
else
  export MINI_AGENT_OTELCOL_UNAVAILABLE="collector/build.sh failed (exit $collector_rc; its output is above)"
  log "$MINI_AGENT_OTELCOL_UNAVAILABLE: the Collector tests are skipped"
fi
