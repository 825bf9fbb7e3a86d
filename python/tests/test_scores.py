"""record_score(): what it puts on the span (real SDK), what it refuses, and the rows it becomes through the bridge."""

from __future__ import annotations

import json

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from mini_agent_otel import record_score, score_stats
from mini_agent_otel.semconv import GenAiAttributes as G
from mini_agent_otel.semconv import GenAiEvents

# A provider of this module's own: the spans are read here whatever provider is global.
_exporter = InMemorySpanExporter()
_provider = TracerProvider()
_provider.add_span_processor(SimpleSpanProcessor(_exporter))
_tracer = _provider.get_tracer("test_scores")


@pytest.fixture(autouse=True)
def _clear() -> None:
    _exporter.clear()


def evaluation_events() -> list[dict[str, object]]:
    (span,) = _exporter.get_finished_spans()
    return [dict(e.attributes or {}) for e in span.events if e.name == GenAiEvents.EVALUATION_RESULT]


def test_a_score_is_a_gen_ai_evaluation_result_event_on_the_current_span_judging_the_session() -> None:
    with _tracer.start_as_current_span("session"):
        assert record_score("helpfulness", 0.8, label="good", explanation="judge v2", id="s-1", author="gpt-judge").recorded
    assert evaluation_events() == [
        {
            G.EVALUATION_NAME: "helpfulness",
            G.EVALUATION_SCORE_VALUE: 0.8,
            G.EVALUATION_SCORE_LABEL: "good",
            G.EVALUATION_EXPLANATION: "judge v2",
            "mini_agent.score.data_type": "numeric",
            "mini_agent.score.source": "api",
            "mini_agent.score.target": "session",
            "mini_agent.score.id": "s-1",
            "mini_agent.score.author": "gpt-judge",
        }
    ]


def test_a_span_id_scores_that_span_and_a_bool_is_a_boolean_score() -> None:
    with _tracer.start_as_current_span("session"):
        assert record_score("resolved", False, span_id="00f067aa0ba902b7").recorded
    (event,) = evaluation_events()
    assert event["mini_agent.score.span_id"] == "00f067aa0ba902b7"
    assert "mini_agent.score.target" not in event
    assert (event[G.EVALUATION_SCORE_VALUE], event["mini_agent.score.data_type"]) == (0.0, "boolean")


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"name": "empty"}, "score_without_value"),
        ({"name": "nan", "value": float("nan")}, "score_value_not_finite"),
        ({"name": "text", "value": "high"}, "score_value_not_finite"),
        ({"name": "x" * 513, "value": 1}, "score_name_too_long"),
        ({"name": "", "value": 1}, "score_without_name"),
        ({"name": "flag", "value": 2, "data_type": "boolean"}, "score_boolean_not_0_or_1"),
    ],
)
def test_bad_input_is_refused_with_its_reason_and_counted_never_raised(kwargs: dict[str, object], reason: str) -> None:
    before = score_stats().rejected.get(reason, 0)
    with _tracer.start_as_current_span("session"):
        result = record_score(**kwargs)  # type: ignore[arg-type]
    assert (result.recorded, result.reason) == (False, reason)
    assert result.message
    assert score_stats().rejected[reason] == before + 1
    assert evaluation_events() == []


def test_outside_any_span_the_score_is_refused_not_lost_silently() -> None:
    result = record_score("helpfulness", 1)
    assert (result.recorded, result.reason) == (False, "score_without_span")


def test_the_bridge_stores_the_scores_of_a_python_agent(stack, run_agent) -> None:
    session_id = "py-scores-1"
    refused = json.loads(run_agent("scored_agent.py", session_id).stdout.strip().splitlines()[-1])
    assert refused == {"score_value_not_finite": 1}
    rows = stack.wait_for(
        "select s.id, s.span_id, s.name, s.data_type, s.value, s.label, s.explanation, s.source from mini_agent_observability.scores s"
        " join mini_agent_observability.traces t on t.id = s.trace_id where t.session_id = $1 order by s.name",
        session_id,
        count=2,
    )
    assert [{k: v for k, v in row.items() if k != "id"} for row in rows] == [
        {"span_id": None, "name": "helpfulness", "data_type": "numeric", "value": 0.75, "label": "good", "explanation": "judge: complete answer", "source": "api"},
        {"span_id": None, "name": "resolved", "data_type": "boolean", "value": 1, "label": None, "explanation": None, "source": "api"},
    ]
    assert rows[0]["id"] == f"{session_id}-judge"
