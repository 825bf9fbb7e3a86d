"""The Python helpers, through the real bridge, land the rows the TypeScript helpers make in process."""

from __future__ import annotations

import subprocess
import sys
import uuid
from typing import Any

import pytest

from conftest import REPO_ROOT, Stack

TABLES = {
    "traces": "select name, user_id, user_context, status, input, output from mini_agent_observability.traces where session_id = $1",
    "tool_executions": (
        "select x.tool_name, x.category, x.input, x.output, x.success, x.error_message, x.duration_ms "
        "from mini_agent_observability.tool_executions x join mini_agent_observability.traces t on t.id = x.trace_id "
        "where t.session_id = $1 order by x.started_at, x.tool_name"
    ),
    "decisions": (
        "select d.decision_type, d.considered_options, d.chosen, d.reasoning from mini_agent_observability.decisions d "
        "join mini_agent_observability.traces t on t.id = d.trace_id where t.session_id = $1"
    ),
    "metrics": (
        "select m.metric_type, m.unit, m.metric_value from mini_agent_observability.performance_metrics m "
        "join mini_agent_observability.traces t on t.id = m.trace_id where t.session_id = $1 order by m.metric_type, m.unit, m.recorded_at"
    ),
    "generations": (
        "select g.model, g.provider, g.input, g.output, g.input_tokens, g.output_tokens from mini_agent_observability.generations g "
        "join mini_agent_observability.traces t on t.id = g.trace_id where t.session_id = $1"
    ),
}


def rows_of(stack: Stack, session_id: str) -> dict[str, list[dict[str, Any]]]:
    stack.wait_for(TABLES["tool_executions"], session_id, count=3)
    stack.wait_for(TABLES["traces"] + " and ended_at is not null", session_id)
    return {table: stack.query(sql, session_id) for table, sql in TABLES.items()}


@pytest.fixture(scope="module")
def both(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    py_session, ts_session = f"py-{uuid.uuid4()}", f"ts-{uuid.uuid4()}"
    subprocess.run([sys.executable, "tests/agents/reference_session.py", py_session], env=stack.agent_env(), check=True, cwd=REPO_ROOT / "python", timeout=60)
    env = {k: v for k, v in stack.agent_env().items() if not k.startswith(("OTEL_", "MINI_AGENT_"))}
    env["DATABASE_URL"] = stack.database_url
    subprocess.run(["node", "python/tests/support/reference_session.mjs", ts_session], env=env, check=True, cwd=REPO_ROOT, timeout=60)
    return rows_of(stack, py_session), rows_of(stack, ts_session)


def test_tool_rows_match_name_category_input_output_and_outcome(both: tuple[dict[str, Any], dict[str, Any]]) -> None:
    python, typescript = both
    strip = lambda rows: [{k: v for k, v in r.items() if k != "duration_ms"} for r in rows]  # noqa: E731
    assert strip(python["tool_executions"]) == strip(typescript["tool_executions"])
    grep, read_file, search = python["tool_executions"]
    assert (grep["tool_name"], grep["category"], grep["success"]) == ("grep", "core", True)
    assert grep["input"] == {"pattern": "TODO", "token": "[REDACTED]"}
    assert read_file["category"] == "file" and read_file["output"] == "print('hi')"
    assert (search["category"], search["success"], search["error_message"]) == ("mcp", False, "mcp server down")


def test_durations_measure_the_call_in_both(both: tuple[dict[str, Any], dict[str, Any]]) -> None:
    for rows in both:
        grep, read_file, _ = rows["tool_executions"]
        assert 50 <= float(grep["duration_ms"]) < 2000
        assert float(read_file["duration_ms"]) < float(grep["duration_ms"])


def test_session_decision_and_generation_rows_match(both: tuple[dict[str, Any], dict[str, Any]]) -> None:
    python, typescript = both
    for table in ("traces", "decisions", "generations"):
        assert python[table] == typescript[table], table
    (trace,) = python["traces"]
    assert trace["name"] == "fix-bug" and trace["user_id"] == "u-42" and trace["status"] == "ok"
    assert trace["user_context"] == {"repo": "demo", "api_key": "[REDACTED]"}
    (decision,) = python["decisions"]
    assert decision["considered_options"] == ["grep", "read_file"] and decision["chosen"] == "grep"
    (generation,) = python["generations"]
    assert (generation["model"], int(generation["input_tokens"]), int(generation["output_tokens"])) == ("gpt-4.1-mini", 12, 5)


def test_metrics_have_the_same_types_and_units_and_the_recorded_latency(both: tuple[dict[str, Any], dict[str, Any]]) -> None:
    python, typescript = both
    kinds = lambda rows: [(r["metric_type"], r["unit"]) for r in rows]  # noqa: E731
    assert kinds(python["metrics"]) == kinds(typescript["metrics"])
    assert ("memory", "By") in kinds(python["metrics"]) and ("cpu", "ms") in kinds(python["metrics"])
    assert [float(r["metric_value"]) for r in python["metrics"] if r["metric_type"] == "latency"] == [412.0]
