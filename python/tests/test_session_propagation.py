"""Spans an instrumentation starts inside ``session()`` carry the session's attributes (PropagatedAttributesProcessor)."""

from __future__ import annotations

from typing import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from mini_agent_otel import session
from mini_agent_otel._propagation import PropagatedAttributesProcessor, get_propagated_attributes

# The global provider may already be set by another test module (it can be set once per process):
# add this module's processors to it, the propagation one first, as configure() does.
_provider = trace.get_tracer_provider()
if not isinstance(_provider, TracerProvider):
    _provider = TracerProvider()
    trace.set_tracer_provider(_provider)
_exporter = InMemorySpanExporter()
_provider.add_span_processor(PropagatedAttributesProcessor())
_provider.add_span_processor(SimpleSpanProcessor(_exporter))


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    _exporter.clear()
    yield _exporter


def test_a_span_another_library_starts_inside_a_session_carries_its_ids_tags_and_name(spans: InMemorySpanExporter) -> None:
    http = trace.get_tracer("opentelemetry.instrumentation.requests")
    with session("weather", session_id="py-chat-1", user_id="py-user", agent_name="bot", agent_version="2.0", tags=["beta"]):
        http.start_span("GET", attributes={"http.request.method": "GET", "mini_agent.user.id": "own-value"}).end()
    (request,) = [s for s in spans.get_finished_spans() if s.name == "GET"]
    assert dict(request.attributes or {}) == {
        "http.request.method": "GET",
        "mini_agent.user.id": "own-value",  # the span's own value wins
        "mini_agent.session.id": "py-chat-1",
        "mini_agent.agent.name": "bot",
        "mini_agent.agent.version": "2.0",
        "mini_agent.session.tags": ("beta",),
        "mini_agent.session.name": "weather",
    }


def test_nothing_is_propagated_outside_the_session_once_it_ended(spans: InMemorySpanExporter) -> None:
    with session("inner", session_id="py-chat-2"):
        assert get_propagated_attributes()["mini_agent.session.id"] == "py-chat-2"
    assert get_propagated_attributes() == {}
    trace.get_tracer("plain").start_span("after").end()
    (after,) = [s for s in spans.get_finished_spans() if s.name == "after"]
    assert "mini_agent.session.id" not in (after.attributes or {})
