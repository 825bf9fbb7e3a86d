"""The Python snippets of the READMEs run as they are written, against the bridge, and land their rows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REPO_ROOT, Stack

TOOLS_OF_SESSION = (
    "select x.tool_name, x.category, x.success from mini_agent_observability.tool_executions x "
    "join mini_agent_observability.traces t on t.id = x.trace_id where t.session_id = $1 order by x.tool_name"
)


def snippets(readme: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", readme.read_text(), re.S)


def test_the_python_readme_quick_start_lands_its_session(stack: Stack, run_agent, tmp_path: Path) -> None:
    quick_start = snippets(REPO_ROOT / "python" / "README.md")[0]
    script = tmp_path / "quick_start.py"
    script.write_text(quick_start)
    run_agent(script)
    (trace,) = stack.wait_for(
        "select * from mini_agent_observability.traces where name = 'fix-bug' and user_id = 'u-42' and ended_at is not null"
    )
    assert trace["output"] == "fixed"
    assert [(t["tool_name"], t["category"], t["success"]) for t in stack.wait_for(TOOLS_OF_SESSION, trace["session_id"])] == [("read_file", "file", True)]


@pytest.mark.parametrize(("readme", "session_id"), [("python/README.md", "plan-session"), ("README.md", "session-1")])
def test_the_original_client_snippets_land_their_tools(stack: Stack, run_agent, tmp_path: Path, readme: str, session_id: str) -> None:
    (snippet,) = [s for s in snippets(REPO_ROOT / readme) if "MiniAgentObservability()" in s]
    script = tmp_path / "original_client.py"
    script.write_text(snippet)
    run_agent(script)
    tools = stack.wait_for(TOOLS_OF_SESSION, session_id, count=2)
    assert [(t["tool_name"], t["category"], t["success"]) for t in tools] == [
        ("bash", "core", True),
        ("read_file" if readme == "README.md" else "write_file", "file", True),
    ]
