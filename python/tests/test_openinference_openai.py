"""OpenInference's OpenAI instrumentation (with ``openai`` against a local fake API) through the bridge, row by row."""

from __future__ import annotations

import subprocess
import sys
import uuid
from typing import Any

import pytest

from conftest import AGENTS, REPO_ROOT, Stack

JOIN = "join mini_agent_observability.traces t on t.id = x.trace_id where t.session_id = $1"


@pytest.fixture(scope="module")
def rows(stack: Stack) -> dict[str, Any]:
    session_id = f"oi-{uuid.uuid4()}"
    done = subprocess.run([sys.executable, str(AGENTS / "openinference_agent.py"), session_id], env=stack.agent_env(),
                          capture_output=True, text=True, timeout=60, cwd=REPO_ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "It is sunny in Paris."
    return {
        "generations": stack.wait_for(f"select x.* from mini_agent_observability.generations x {JOIN} order by x.started_at", session_id, count=2),
        "tools": stack.wait_for(f"select x.* from mini_agent_observability.tool_executions x {JOIN}", session_id),
        "traces": stack.wait_for("select * from mini_agent_observability.traces where session_id = $1 and ended_at is not null", session_id),
    }


def test_the_agent_span_is_the_session_with_its_user_question_and_answer(rows: dict[str, Any]) -> None:
    (trace,) = rows["traces"]
    assert (trace["name"], trace["agent_name"], trace["user_id"], trace["status"]) == ("weather-agent", "weather-agent", "oi-user-1", "ok")
    assert (trace["input"], trace["output"]) == ("Weather in Paris?", "It is sunny in Paris.")


def test_each_chat_completion_is_a_generation_with_model_usage_and_messages(rows: dict[str, Any]) -> None:
    asked, answered = rows["generations"]
    for generation in (asked, answered):
        assert (generation["model"], generation["provider"], generation["success"]) == ("gpt-4o-mini-2024-07-18", "openai", True)
        assert generation["model_parameters"]["temperature"] == 0
    assert [int(asked[k]) for k in ("input_tokens", "output_tokens", "cached_tokens", "reasoning_tokens")] == [25, 12, 5, 4]
    assert (int(answered["input_tokens"]), int(answered["output_tokens"])) == (41, 7)
    assert asked["input"] == [{"role": "user", "content": "Weather in Paris?"}]
    (tool_call,) = asked["output"][0]["tool_calls"]
    assert tool_call["id"] == "call_weather_1" and tool_call["function"] == {"name": "get_weather", "arguments": '{"city": "Paris"}'}
    assert answered["input"][-1] == {"role": "tool", "content": '{"city": "Paris", "conditions": "sunny"}', "tool_call_id": "call_weather_1"}
    assert answered["output"] == [{"role": "assistant", "content": "It is sunny in Paris."}]


def test_the_tool_the_model_asked_for_is_a_tool_row_under_the_agent(rows: dict[str, Any]) -> None:
    (tool,) = rows["tools"]
    assert (tool["tool_name"], tool["success"], tool["input"], tool["output"]) == ("get_weather", True, {"city": "Paris"}, {"city": "Paris", "conditions": "sunny"})
    assert tool["parent_span_id"] == rows["generations"][0]["parent_span_id"]
