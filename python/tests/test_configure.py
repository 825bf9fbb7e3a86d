"""``configure()`` with a provider already set up: it adds its exporter to it, says so, and both see the spans."""

from __future__ import annotations

import json
import uuid

from conftest import Stack


def test_an_existing_provider_keeps_its_exporter_and_gains_ours(stack: Stack, run_agent) -> None:
    session_id = f"attached-{uuid.uuid4()}"
    done = run_agent("attached.py", session_id)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == ["attached session", "execute_tool noop"]
    assert "already configured; adding the OTLP exporter to it" in done.stderr
    tools = stack.wait_for(
        "select x.tool_name from mini_agent_observability.tool_executions x join mini_agent_observability.traces t "
        "on t.id = x.trace_id where t.session_id = $1",
        session_id,
    )
    assert [t["tool_name"] for t in tools] == ["noop"]
