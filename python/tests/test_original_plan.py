"""The original plan's client code runs unchanged against the facade, and its rows are right."""

from __future__ import annotations

import uuid

from conftest import Stack

TOOLS = (
    "select x.tool_name, x.category, x.input, x.output, x.success, x.error_message, x.duration_ms, x.started_at, x.ended_at "
    "from mini_agent_observability.tool_executions x join mini_agent_observability.traces t on t.id = x.trace_id "
    "where t.session_id = $1 order by x.started_at"
)


def test_the_plans_calls_become_one_session_with_its_tools_metrics_and_decision(stack: Stack, run_agent) -> None:
    session_id = f"plan-{uuid.uuid4()}"
    run_agent("original_plan.py", session_id)
    tools = {r["tool_name"]: r for r in stack.wait_for(TOOLS, session_id, count=4)}
    assert {name: (r["category"], r["success"]) for name, r in tools.items()} == {
        "write_file": ("file", True),
        "run_skill": ("skill", False),
        "bash": ("core", True),
        "mcp_fetch": ("mcp", False),
    }
    assert tools["write_file"]["input"] == {"path": "notes.md", "content": "hello"}
    assert tools["write_file"]["output"] == {"written": 5}
    assert tools["run_skill"]["error_message"] == "skill pdf is not installed"
    assert tools["bash"]["input"] == {"command": "ls"} and tools["bash"]["output"] == {"stdout": "a.py"}
    assert tools["mcp_fetch"]["error_message"] == "tool reported failure"
    # A logged call is back-dated: it ended when it was logged and lasted what the agent measured.
    assert float(tools["bash"]["duration_ms"]) == 250.0 and float(tools["mcp_fetch"]["duration_ms"]) == 1200.0

    (trace,) = stack.wait_for("select * from mini_agent_observability.traces where session_id = $1 and ended_at is not null", session_id)
    assert trace["user_id"] == "u-7" and trace["status"] == "ok"
    assert trace["user_context"] == {"user_id": "u-7", "cwd": "/repo", "mode": "interactive"}
    metrics = stack.query(
        "select metric_type, metric_value, unit from mini_agent_observability.performance_metrics where trace_id = $1 and unit in ('MB', 'ms') "
        "and metric_type in ('memory', 'latency') order by metric_type",
        trace["id"],
    )
    assert [(m["metric_type"], float(m["metric_value"]), m["unit"]) for m in metrics] == [("latency", 250.0, "ms"), ("memory", 512.0, "MB")]
    (decision,) = stack.query("select * from mini_agent_observability.decisions where trace_id = $1", trace["id"])
    assert (decision["decision_type"], decision["considered_options"], decision["chosen"], decision["reasoning"]) == (
        "tool_selection", ["bash", "read_file"], "bash", "listing is faster",
    )


def test_end_trace_with_success_false_fails_the_session_with_the_message(stack: Stack, run_agent, tmp_path) -> None:
    script = tmp_path / "failing.py"
    script.write_text(
        "import sys\nfrom mini_agent_otel import MiniAgentObservability\n"
        "obs = MiniAgentObservability()\nobs.start_trace(sys.argv[1], None)\n"
        "obs.end_trace(output='gave up', success=False, error_message='budget exhausted')\n"
    )
    session_id = f"plan-{uuid.uuid4()}"
    run_agent(script, session_id)
    (trace,) = stack.wait_for("select * from mini_agent_observability.traces where session_id = $1 and ended_at is not null", session_id)
    assert (trace["status"], trace["status_message"], trace["output"]) == ("error", "budget exhausted", "gave up")
