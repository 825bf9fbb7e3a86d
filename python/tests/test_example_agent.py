"""``examples/python-agent``: the original agent's shape, traced with the decorator, lands a whole session."""

from __future__ import annotations

import uuid

from conftest import REPO_ROOT, Stack

JOIN = "join mini_agent_observability.traces t on t.id = x.trace_id where t.session_id = $1"


def test_the_example_lands_tools_of_every_category_its_decisions_model_calls_and_metrics(stack: Stack, run_agent) -> None:
    session_id = f"example-{uuid.uuid4()}"
    done = run_agent(REPO_ROOT / "examples" / "python-agent" / "agent.py", "--session-id", session_id)
    assert done.stdout.startswith(f"session {session_id}: app.py line 2 subtracts")

    tools = stack.wait_for(f"select x.tool_name, x.category, x.success, x.error_message from mini_agent_observability.tool_executions x {JOIN}", session_id, count=6)
    assert {t["category"] for t in tools} == {"file", "core", "mcp", "document", "skill"}
    assert sorted((t["tool_name"], t["success"]) for t in tools) == [
        ("bash", True), ("mcp_call", False), ("mcp_call", True), ("outline", True), ("read_file", True), ("run_skill", True),
    ]
    assert [t["error_message"] for t in tools if not t["success"]] == ["MCP server 'docs' is not running"]

    (trace,) = stack.wait_for("select * from mini_agent_observability.traces where session_id = $1 and ended_at is not null", session_id)
    assert (trace["agent_name"], trace["agent_version"], trace["user_id"], trace["status"]) == ("mini-agent-example", "0.1.0", "local-user", "ok")
    assert trace["input"] == "Why does test_add fail?" and trace["output"] == "app.py line 2 subtracts; it should return a + b."

    decisions = stack.query(f"select x.chosen, x.reasoning from mini_agent_observability.decisions x {JOIN}", session_id)
    assert sorted(d["chosen"] for d in decisions) == ["bash", "mcp_call", "mcp_call", "outline", "read_file", "run_skill"]
    generations = stack.query(f"select x.model, x.output_tokens from mini_agent_observability.generations x {JOIN}", session_id)
    assert len(generations) == 7 and {g["model"] for g in generations} == {"mini-agent-standin-1"}
    metrics = stack.query(f"select x.metric_type, x.unit from mini_agent_observability.performance_metrics x {JOIN}", session_id)
    assert {("latency", "ms"), ("tokens", "{token}"), ("memory", "By"), ("cpu", "ms")} <= {(m["metric_type"], m["unit"]) for m in metrics}
