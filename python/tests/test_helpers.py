"""The helpers' spans, read from a real SDK pipeline (TracerProvider + SimpleSpanProcessor + InMemorySpanExporter)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any, Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from mini_agent_otel import llm_call, record_decision, record_metric, session, tool, trace_tool_execution
from mini_agent_otel._limits import DEFAULT_LIMITS

_exporter = InMemorySpanExporter()
_provider = TracerProvider()
_provider.add_span_processor(SimpleSpanProcessor(_exporter))
trace.set_tracer_provider(_provider)


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    _exporter.clear()
    yield _exporter


def only(exporter: InMemorySpanExporter, name: str) -> ReadableSpan:
    (span,) = [s for s in exporter.get_finished_spans() if s.name == name]
    return span


def test_a_decorated_tool_records_arguments_by_name_and_the_return_value(spans: InMemorySpanExporter) -> None:
    @trace_tool_execution(category="file")
    def read_file(path: str, encoding: str = "utf-8") -> dict[str, Any]:
        return {"path": path, "size": 3}

    assert read_file("a.txt") == {"path": "a.txt", "size": 3}
    span = only(spans, "execute_tool read_file")
    assert span.attributes["mini_agent.tool.category"] == "file"
    assert json.loads(span.attributes["mini_agent.tool.input"]) == {"path": "a.txt"}
    assert json.loads(span.attributes["mini_agent.tool.output"]) == {"path": "a.txt", "size": 3}
    assert span.status.status_code is StatusCode.OK


def test_an_async_tool_that_raises_is_failed_with_its_message_and_the_exception_reaches_the_caller(spans: InMemorySpanExporter) -> None:
    @tool(category="mcp")
    async def search(query: str) -> str:
        await asyncio.sleep(0.01)
        raise TimeoutError("mcp server did not answer")

    with pytest.raises(TimeoutError, match="did not answer"):
        asyncio.run(search("x"))
    span = only(spans, "execute_tool search")
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == "mcp server did not answer"
    assert [e.attributes["exception.type"] for e in span.events if e.name == "exception"] == ["TimeoutError"]
    assert (span.end_time - span.start_time) >= 10_000_000


def test_everything_inside_a_session_is_its_child_and_decisions_and_metrics_are_its_events(spans: InMemorySpanExporter) -> None:
    with session("plan", session_id="s-1", user_id="u-1", input={"task": "t"}) as s:
        record_decision("plan", options=["a", "b"], chosen={"step": "a"}, reasoning="cheaper")
        record_metric("tokens", 42, "{token}")
        with tool("bash", category="core", input={"cmd": "ls"}) as call:
            call.set_output(["a", "b"])
        with llm_call("gpt-4.1-mini", provider="openai", input="hi") as llm:
            llm.set_usage(input_tokens=3, output_tokens=4)
        s.set_output("ok")
    root = only(spans, "plan")
    for name in ("execute_tool bash", "chat gpt-4.1-mini"):
        assert only(spans, name).parent.span_id == root.context.span_id
    assert root.attributes["mini_agent.session.id"] == "s-1" and root.attributes["mini_agent.session.output"] == '"ok"'
    decision = next(e for e in root.events if e.name == "mini_agent.decision")
    assert dict(decision.attributes) == {
        "mini_agent.decision.type": "plan",
        "mini_agent.decision.options": '["a","b"]',
        "mini_agent.decision.chosen": '{"step":"a"}',
        "mini_agent.decision.reasoning": "cheaper",
    }
    metrics = [(e.attributes["mini_agent.metric.type"], e.attributes.get("mini_agent.metric.unit")) for e in root.events if e.name == "mini_agent.metric"]
    assert ("tokens", "{token}") in metrics and metrics.count(("memory", "By")) == 2 and ("cpu", "ms") in metrics
    assert only(spans, "chat gpt-4.1-mini").attributes["gen_ai.usage.output_tokens"] == 4


def test_outside_any_span_a_decision_or_metric_gets_a_short_span_of_its_own(spans: InMemorySpanExporter) -> None:
    record_decision("stop", chosen="stop")
    record_metric("latency", 5, "ms")
    assert only(spans, "decision stop").attributes["mini_agent.span.kind"] == "decision"
    assert only(spans, "metric latency").events[0].attributes["mini_agent.metric.value"] == 5


class _Hostile:
    def __str__(self) -> str:
        raise RuntimeError("no str for you")

    @property
    def __dict__(self) -> Any:  # type: ignore[override]
        raise RuntimeError("no dict either")


@dataclass
class _Node:
    name: str
    child: Any = None


def test_values_json_cannot_hold_become_markers_and_the_tool_still_runs(spans: InMemorySpanExporter) -> None:
    loop = _Node("a")
    loop.child = loop

    @tool(category="skill")
    def skill(graph: Any, weird: Any, numbers: Any, blob: bytes) -> str:
        return "ran"

    assert skill(loop, _Hostile(), [float("nan"), float("inf"), 1.5, {1, 2}], b"\x00ok\xff") == "ran"
    value = json.loads(only(spans, "execute_tool skill").attributes["mini_agent.tool.input"])
    assert value["graph"] == {"name": "a", "child": "[Circular]"}
    assert value["weird"].startswith("[unserializable")
    assert value["numbers"][:3] == [None, None, 1.5] and sorted(value["numbers"][3]) == [1, 2]
    assert value["blob"] == "\ufffdok\ufffd"


def test_values_over_the_limits_are_cut_with_one_marker_and_fit_under_the_limit(spans: InMemorySpanExporter) -> None:
    with tool("big", category="document", input={"text": "x" * (DEFAULT_LIMITS.max_string_length + 10), "rows": list(range(10_005))}):
        pass
    text = only(spans, "execute_tool big").attributes["mini_agent.tool.input"]
    assert len(text) <= DEFAULT_LIMITS.max_string_length
    # The inner string is cut first (to fit, with its marker), then the whole text is cut once more.
    assert text.startswith('{"text":"xxx') and text.endswith(" chars]")
    assert text.count("…[truncated by mini-agent:") == 1


def test_deep_nesting_and_long_lists_are_bounded_like_the_typescript_packages() -> None:
    from mini_agent_otel._json import JsonMaker
    from mini_agent_otel._redact import Redactor

    maker = JsonMaker(Redactor())
    deep: Any = "bottom"
    for _ in range(40):
        deep = [deep]
    depth, value = 0, maker.value(deep)
    while isinstance(value, list):
        value, depth = value[0], depth + 1
    assert (depth, value) == (DEFAULT_LIMITS.max_depth, "[too deep]")
    listed = maker.value(list(range(10_003)))
    assert len(listed) == 10_001 and listed[-1] == "…[3 more items truncated by mini-agent]"


def test_async_with_works_for_sessions_tools_and_llm_calls(spans: InMemorySpanExporter) -> None:
    async def agent() -> None:
        async with session("async session") as s:
            async with tool("fetch", category="mcp", input={"url": "u"}) as call:
                await asyncio.sleep(0)
                call.set_output({"ok": True})
            async with llm_call("m") as llm:
                llm.set_output("hi")
            s.set_output("done")

    asyncio.run(agent())
    root = only(spans, "async session")
    fetch = only(spans, "execute_tool fetch")
    assert fetch.parent.span_id == root.context.span_id and fetch.attributes["mini_agent.tool.output"] == '{"ok":true}'
    assert only(spans, "chat m").parent.span_id == root.context.span_id


def test_a_failing_session_is_failed_with_its_message_and_its_children_still_end(spans: InMemorySpanExporter) -> None:
    @session("doomed")
    def doomed() -> None:
        with tool("step", category="core"):
            raise KeyError("missing config")

    with pytest.raises(KeyError):
        doomed()
    assert only(spans, "execute_tool step").status.status_code is StatusCode.ERROR
    root = only(spans, "doomed")
    assert (root.status.status_code, root.status.description) == (StatusCode.ERROR, "'missing config'")
