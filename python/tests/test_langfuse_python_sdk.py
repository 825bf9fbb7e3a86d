"""Langfuse's Python SDK (5.x) through the bridge: agent, generation and tool observations land row by row."""

from __future__ import annotations

import subprocess
import sys
import uuid
from typing import Any

import pytest

from conftest import AGENTS, REPO_ROOT, Stack

JOIN = "join mini_agent_observability.traces t on t.id = x.trace_id where t.session_id = $1"


@pytest.fixture(scope="module")
def session_rows(stack: Stack) -> dict[str, Any]:
    session_id = f"lf-{uuid.uuid4()}"
    env = stack.agent_env(BRIDGE_BASE_URL=stack.traces_url.removesuffix("/v1/traces"))
    subprocess.run([sys.executable, str(AGENTS / "langfuse_agent.py"), session_id], env=env, check=True, timeout=60, cwd=REPO_ROOT)
    tools = stack.wait_for(f"select x.* from mini_agent_observability.tool_executions x {JOIN} order by x.started_at", session_id, count=2)
    return {
        "session_id": session_id,
        "tools": tools,
        "generations": stack.wait_for(f"select x.* from mini_agent_observability.generations x {JOIN}", session_id, count=2),
        "traces": stack.wait_for("select * from mini_agent_observability.traces where session_id = $1 and ended_at is not null", session_id),
        "spans": stack.query(f"select x.name, x.kind, x.attributes->>'user.id' as user_id, x.attributes->>'session.id' as session_id from mini_agent_observability.spans x {JOIN} order by x.started_at", session_id),
    }


def test_tool_observations_are_tool_rows_and_level_error_is_a_failure(session_rows: dict[str, Any]) -> None:
    # Sorted by name: spans this fast share a millisecond, and times are stored to the millisecond.
    refund, lookup = sorted(session_rows["tools"], key=lambda r: r["tool_name"])
    assert (lookup["tool_name"], lookup["success"], lookup["input"], lookup["output"]) == ("lookup_order", True, {"order": "A-17"}, {"status": "delivered"})
    assert (refund["tool_name"], refund["success"], refund["error_message"]) == ("issue_refund", False, "refund window closed")


def test_the_generation_keeps_model_messages_and_usage(session_rows: dict[str, Any]) -> None:
    generation = next(g for g in session_rows["generations"] if g["name"] == "llm-call")
    assert generation["model"] == "gpt-4o" and generation["name"] == "llm-call"
    assert (int(generation["input_tokens"]), int(generation["output_tokens"])) == (80, 30)
    assert generation["input"] == [{"role": "user", "content": "refund A-17?"}]
    assert generation["output"] == {"role": "assistant", "content": "checking the order"}


def test_langfuses_openai_client_usage_in_openais_shape_keeps_every_count(session_rows: dict[str, Any]) -> None:
    # langfuse.openai passes OpenAI's usage object as usage_details: prompt/completion tokens and their details.
    call = next(g for g in session_rows["generations"] if g["name"] == "weather-call")
    counts = [int(call[k]) for k in ("input_tokens", "output_tokens", "total_tokens", "cached_tokens", "reasoning_tokens")]
    assert counts == [25, 12, 37, 5, 4]
    assert call["model"] == "gpt-4o-mini-2024-07-18" and call["output"]["tool_calls"][0]["function"]["name"] == "get_weather"


def test_propagated_session_and_user_reach_the_trace_and_every_span(session_rows: dict[str, Any]) -> None:
    (trace,) = session_rows["traces"]
    # Langfuse leaves a successful span's status UNSET; the row says what the span said.
    assert (trace["user_id"], trace["name"], trace["status"]) == ("lf-user-1", "refund-request", "unset")
    assert trace["input"] == {"question": "Can I get a refund for A-17?"}
    assert trace["output"] == "Sorry, the refund window is closed."
    assert sorted((s["name"], s["kind"]) for s in session_rows["spans"]) == [
        ("issue_refund", "tool"), ("llm-call", "llm"), ("lookup_order", "tool"), ("support-agent", "session"), ("weather-call", "llm"),
    ]
    assert {(s["user_id"], s["session_id"]) for s in session_rows["spans"]} == {("lf-user-1", session_rows["session_id"])}
