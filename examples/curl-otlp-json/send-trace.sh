#!/usr/bin/env bash
# Sends one agent session to the mini-agent bridge as hand-written OTLP/JSON, the way any language
# without an OpenTelemetry SDK could: a session span, a tool that worked, a tool that failed, and an
# LLM call. Needs bash, curl and od.
#
#   BRIDGE_URL=http://127.0.0.1:4319 MINI_AGENT_BRIDGE_TOKEN=... ./send-trace.sh
set -euo pipefail

url="${BRIDGE_URL:-http://127.0.0.1:4319}/v1/traces"

# OTLP/JSON carries trace and span ids as lowercase hex (16 and 8 random bytes).
hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }
trace_id=$(hex 16)
session_id=$(hex 8)
tool_ok_id=$(hex 8)
tool_failed_id=$(hex 8)
llm_id=$(hex 8)

# Times are nanoseconds since the epoch, sent as strings (64-bit integers in OTLP/JSON).
now_s=$(date +%s)
ns() { echo "$((now_s + $1))000000000"; }

body=$(cat <<JSON
{
  "resourceSpans": [{
    "resource": { "attributes": [
      { "key": "service.name", "value": { "stringValue": "curl-agent" } },
      { "key": "service.version", "value": { "stringValue": "0.1.0" } }
    ] },
    "scopeSpans": [{
      "scope": { "name": "hand-written-otlp-json", "version": "1.0.0" },
      "spans": [
        {
          "traceId": "$trace_id", "spanId": "$session_id", "name": "answer a question", "kind": 2,
          "startTimeUnixNano": "$(ns 0)", "endTimeUnixNano": "$(ns 4)",
          "attributes": [
            { "key": "mini_agent.span.kind", "value": { "stringValue": "session" } },
            { "key": "mini_agent.session.id", "value": { "stringValue": "curl-session-1" } },
            { "key": "mini_agent.user.id", "value": { "stringValue": "user-7" } },
            { "key": "mini_agent.session.input", "value": { "stringValue": "{\"question\":\"What is 2 + 2?\"}" } },
            { "key": "mini_agent.session.tags", "value": { "arrayValue": { "values": [ { "stringValue": "curl" }, { "stringValue": "example" } ] } } },
            { "key": "client", "value": { "kvlistValue": { "values": [
              { "key": "tool", "value": { "stringValue": "curl" } },
              { "key": "retries", "value": { "intValue": "0" } }
            ] } } }
          ],
          "events": [{
            "name": "mini_agent.metric", "timeUnixNano": "$(ns 4)",
            "attributes": [
              { "key": "mini_agent.metric.type", "value": { "stringValue": "latency" } },
              { "key": "mini_agent.metric.value", "value": { "doubleValue": 4000 } },
              { "key": "mini_agent.metric.unit", "value": { "stringValue": "ms" } }
            ]
          }],
          "status": { "code": 1 }
        },
        {
          "traceId": "$trace_id", "spanId": "$tool_ok_id", "parentSpanId": "$session_id", "name": "calculator", "kind": 1,
          "startTimeUnixNano": "$(ns 1)", "endTimeUnixNano": "$(ns 2)",
          "attributes": [
            { "key": "mini_agent.span.kind", "value": { "stringValue": "tool" } },
            { "key": "mini_agent.tool.name", "value": { "stringValue": "calculator" } },
            { "key": "mini_agent.tool.category", "value": { "stringValue": "core" } },
            { "key": "mini_agent.tool.input", "value": { "stringValue": "{\"expression\":\"2 + 2\"}" } },
            { "key": "mini_agent.tool.output", "value": { "stringValue": "4" } }
          ]
        },
        {
          "traceId": "$trace_id", "spanId": "$tool_failed_id", "parentSpanId": "$session_id", "name": "web_search", "kind": 1,
          "startTimeUnixNano": "$(ns 2)", "endTimeUnixNano": "$(ns 3)",
          "attributes": [
            { "key": "mini_agent.span.kind", "value": { "stringValue": "tool" } },
            { "key": "mini_agent.tool.name", "value": { "stringValue": "web_search" } },
            { "key": "mini_agent.tool.category", "value": { "stringValue": "mcp" } }
          ],
          "events": [{
            "name": "exception", "timeUnixNano": "$(ns 3)",
            "attributes": [ { "key": "exception.message", "value": { "stringValue": "search backend timed out" } } ]
          }],
          "status": { "code": 2, "message": "search backend timed out" }
        },
        {
          "traceId": "$trace_id", "spanId": "$llm_id", "parentSpanId": "$session_id", "name": "chat example-model", "kind": 3,
          "startTimeUnixNano": "$(ns 3)", "endTimeUnixNano": "$(ns 4)",
          "attributes": [
            { "key": "gen_ai.operation.name", "value": { "stringValue": "chat" } },
            { "key": "gen_ai.request.model", "value": { "stringValue": "example-model" } },
            { "key": "gen_ai.usage.input_tokens", "value": { "intValue": "42" } },
            { "key": "gen_ai.usage.output_tokens", "value": { "intValue": 7 } }
          ]
        }
      ]
    }]
  }]
}
JSON
)

auth=()
if [ -n "${MINI_AGENT_BRIDGE_TOKEN:-}" ]; then auth=(-H "Authorization: Bearer ${MINI_AGENT_BRIDGE_TOKEN}"); fi

# --fail-with-body: a 4xx/5xx answer makes the script fail, and its google.rpc.Status is printed.
response=$(curl --silent --show-error --fail-with-body -X POST "$url" \
  -H 'Content-Type: application/json' ${auth[@]+"${auth[@]}"} --data-binary "$body")
echo "bridge answered: ${response}"
echo "trace ${trace_id}"
