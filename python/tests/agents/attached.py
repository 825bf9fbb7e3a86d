"""An agent with its own OpenTelemetry setup: configure() adds the OTLP exporter to that provider.

Usage: python attached.py SESSION_ID   (prints the span names the agent's own exporter saw, as JSON)
"""

import json
import sys

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

own = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(own))
trace.set_tracer_provider(provider)

from mini_agent_otel import configure, session, tool  # noqa: E402

telemetry = configure(service_name="attached-agent")
assert telemetry.attached and telemetry.provider is provider


@tool(category="core")
def noop() -> int:
    return 1


with session("attached session", session_id=sys.argv[1]):
    noop()
telemetry.force_flush()
print(json.dumps(sorted(span.name for span in own.get_finished_spans())))
