"""A small coding agent in the shape of the original mini-agent, traced with mini_agent_otel.

Its tools are the original agent's five kinds, file, core (bash-like), MCP, document and skill,
each wrapped in the original plan's decorator ``@trace_tool_execution(category=...)``. The model
is a stand-in that follows a fixed plan, so nothing here needs an API key. Each step records the
LLM call, the decision it led to and the tool it ran; one MCP server is down, and the agent goes
on without it. Spans go over OTLP/HTTP to ``mini-agent-otel serve`` (``OTEL_EXPORTER_OTLP_ENDPOINT``,
default ``http://127.0.0.1:4319``), with ``MINI_AGENT_BRIDGE_TOKEN`` as the bearer token.

Usage: python agent.py [--task TEXT] [--session-id ID]
"""

from __future__ import annotations

import argparse
import atexit
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from mini_agent_otel import MiniAgentObservability, llm_call, trace_tool_execution

obs = MiniAgentObservability(service_name="mini-agent-example", service_version="0.1.0")
WORKSPACE = Path(tempfile.mkdtemp(prefix="mini-agent-example-"))
atexit.register(shutil.rmtree, WORKSPACE, ignore_errors=True)
(WORKSPACE / "README.md").write_text("# demo\n\nA tiny project.\n\n## Tests\n\nRun `pytest`.\n\n## Release\n\nTag and push.\n")
(WORKSPACE / "app.py").write_text("def add(a, b):\n    return a - b  # TODO: the bug\n")


@trace_tool_execution(category="file")
def read_file(path: str) -> str:
    return (WORKSPACE / path).read_text()


@trace_tool_execution(category="core")
def bash(command: str) -> dict[str, Any]:
    done = subprocess.run(shlex.split(command), cwd=WORKSPACE, capture_output=True, text=True, timeout=10)
    return {"exit_code": done.returncode, "stdout": done.stdout.strip()}


MCP_SERVERS: dict[str, Callable[..., Any]] = {"issues": lambda query: [{"id": 7, "title": f"{query}: add() subtracts"}]}


@trace_tool_execution(category="mcp")
def mcp_call(server: str, tool: str, arguments: dict[str, Any]) -> Any:
    if server not in MCP_SERVERS:
        raise ConnectionError(f"MCP server {server!r} is not running")
    return MCP_SERVERS[server](**arguments)


@trace_tool_execution(category="document")
def outline(path: str) -> list[str]:
    return [line.lstrip("# ").strip() for line in (WORKSPACE / path).read_text().splitlines() if line.startswith("#")]


@trace_tool_execution(category="skill")
def run_skill(name: str, text: str) -> str:
    if name != "summarize":
        raise LookupError(f"no skill named {name}")
    return text.split(".")[0].strip() + "."


TOOLS: dict[str, Callable[..., Any]] = {f.__name__: f for f in (read_file, bash, mcp_call, outline, run_skill)}


@dataclass
class Step:
    """What the model answers: a tool to call with its arguments and why, or the final answer."""

    reason: str
    tool: Optional[str] = None
    arguments: dict[str, Any] = field(default_factory=dict)
    answer: Optional[str] = None


PLAN = [
    Step("the docs server may know the bug", "mcp_call", {"server": "docs", "tool": "search", "arguments": {"query": "add"}}),
    Step("the issue tracker, then", "mcp_call", {"server": "issues", "tool": "search", "arguments": {"query": "add"}}),
    Step("see the project layout", "bash", {"command": "ls"}),
    Step("read the code the issue names", "read_file", {"path": "app.py"}),
    Step("find how tests are run", "outline", {"path": "README.md"}),
    Step("say it in one sentence", "run_skill", {"name": "summarize", "text": "add() subtracts instead of adding. Fix line 2."}),
    Step("enough to answer", answer="app.py line 2 subtracts; it should return a + b."),
]


class StandInModel:
    """A model that follows PLAN: the LLM call is real telemetry, the reasoning is scripted."""

    name = "mini-agent-standin-1"

    def __init__(self) -> None:
        self._plan = iter(PLAN)

    def next_step(self, messages: list[dict[str, Any]]) -> Step:
        with llm_call(self.name, provider="local", input=messages) as call:
            time.sleep(0.01)
            step = next(self._plan)
            reply = step.answer or f"call {step.tool} {step.arguments}"
            call.set_usage(input_tokens=sum(len(str(m["parts"]).split()) for m in messages), output_tokens=len(reply.split()))
            call.set_output(reply)
            return step


def message(role: str, text: str) -> dict[str, Any]:
    return {"role": role, "parts": [{"type": "text", "content": text}]}


def run(task: str, session_id: Optional[str] = None) -> str:
    """One session: ask the model, run the tool it picks, until it answers."""
    started = time.monotonic()
    session_id = obs.start_trace(session_id, {"user_id": "local-user", "cwd": str(WORKSPACE), "config_dir": "~/.mini-agent"}, input=task)
    model, messages = StandInModel(), [message("user", task)]
    while True:
        step = model.next_step(messages)
        if step.answer is not None:
            break
        obs.log_decision("tool_selection", options=sorted(TOOLS), chosen=step.tool, reasoning=step.reason)
        try:
            result: Any = TOOLS[step.tool](**step.arguments)
        except Exception as error:  # the agent tells the model and goes on, as the original does
            result = f"error: {error}"
        messages += [message("assistant", f"{step.tool}({step.arguments})"), message("tool", str(result))]
    obs.log_performance_metric("latency", round((time.monotonic() - started) * 1000, 3), "ms")
    obs.log_performance_metric("tokens", sum(len(str(m["parts"]).split()) for m in messages), "{token}")
    obs.end_trace(output=step.answer)
    print(f"session {session_id}: {step.answer}")
    return session_id


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--task", default="Why does test_add fail?")
    parser.add_argument("--session-id", default=f"example-{uuid.uuid4()}")
    args = parser.parse_args(argv)
    run(args.task, args.session_id)
    if obs.flush(10_000) is False or (obs.telemetry and obs.telemetry.stats()["dropped"]):
        print("some spans were not delivered: is `mini-agent-otel serve` running?", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
