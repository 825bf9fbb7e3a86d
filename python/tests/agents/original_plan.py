"""Client code as the original observability plan wrote it, unchanged but for the import.

Usage: python original_plan.py SESSION_ID
"""

import sys
import time

from mini_agent_otel import MiniAgentObservability, trace_tool_execution

obs = MiniAgentObservability()


@trace_tool_execution(category="file")
def write_file(path, content):
    time.sleep(0.02)
    return {"written": len(content)}


@trace_tool_execution(category="skill")
def run_skill(name):
    raise ValueError(f"skill {name} is not installed")


obs.start_trace(sys.argv[1], {"user_id": "u-7", "cwd": "/repo", "mode": "interactive"})
write_file("notes.md", "hello")
try:
    run_skill("pdf")
except ValueError:
    pass
start = time.time()
obs.log_tool_execution("bash", "core", {"command": "ls"}, {"stdout": "a.py"}, 250, True)
obs.log_tool_execution("mcp_fetch", "mcp", {"url": "https://example.test"}, None, 1200, False)
obs.log_performance_metric("memory", 512, "MB")
obs.log_performance_metric("latency", 250, "ms")
obs.log_decision("tool_selection", ["bash", "read_file"], "bash", "listing is faster")
obs.end_trace()
