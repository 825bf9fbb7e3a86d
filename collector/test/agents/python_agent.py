"""An agent in Python with nothing but the OpenTelemetry SDK: one session with a tool call, a
failing tool and an LLM call, exported over OTLP/HTTP protobuf to the endpoint in
OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (a Collector). Prints the trace id as its last line."""

import json
import os

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode


def main() -> None:
    provider = TracerProvider(resource=Resource.create({"service.name": "python-folder-agent"}))
    # The endpoint comes from OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, as with any OTel SDK.
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    tracer = provider.get_tracer("python-agent", "1.0.0")
    session_id = os.environ.get("AGENT_SESSION_ID", "python-session")

    with tracer.start_as_current_span("python: summarise folder", kind=SpanKind.SERVER) as session:
        session.set_attributes(
            {
                "mini_agent.span.kind": "session",
                "mini_agent.session.id": session_id,
                "mini_agent.agent.name": "python-folder-agent",
                "mini_agent.user.id": "user-py",
            }
        )
        with tracer.start_as_current_span("list_files") as tool:
            tool.set_attributes(
                {
                    "mini_agent.span.kind": "tool",
                    "mini_agent.tool.name": "list_files",
                    "mini_agent.tool.category": "file",
                    "mini_agent.tool.input": json.dumps({"path": "."}),
                    "mini_agent.tool.output": json.dumps({"files": ["a.txt", "b.txt"]}),
                }
            )
        with tracer.start_as_current_span("fetch_url") as failing:
            failing.set_attributes({"mini_agent.span.kind": "tool", "mini_agent.tool.name": "fetch_url", "mini_agent.tool.category": "web"})
            failing.set_status(Status(StatusCode.ERROR, "connection refused"))
        with tracer.start_as_current_span("chat gpt-4o-mini", kind=SpanKind.CLIENT) as llm:
            llm.set_attributes(
                {
                    "gen_ai.operation.name": "chat",
                    "gen_ai.request.model": "gpt-4o-mini",
                    "gen_ai.usage.input_tokens": 200,
                    "gen_ai.usage.output_tokens": 40,
                }
            )
        trace_id = format(session.get_span_context().trace_id, "032x")

    # force_flush waits for the exporter's answer: a non-2xx from the Collector is a failure.
    if not provider.force_flush(30_000):
        raise SystemExit("the spans were not exported")
    provider.shutdown()
    print(trace_id)


if __name__ == "__main__":
    main()
