"""The reference session, with the Python helpers; ``support/reference_session.mjs`` is its TypeScript twin.

Usage: python reference_session.py SESSION_ID
"""

import sys
import time

from mini_agent_otel import configure, llm_call, record_decision, record_metric, session, tool

configure(service_name="reference-agent")


@tool(category="core")
def grep(pattern: str, token: str) -> list[str]:
    time.sleep(0.05)
    return ["a.py:3"]


@tool(category="file")
def read_file(path: str) -> str:
    return "print('hi')"


@tool(category="mcp")
def search_docs(query: str) -> str:
    raise ConnectionError("mcp server down")


with session(
    "fix-bug",
    session_id=sys.argv[1],
    user_id="u-42",
    user_context={"repo": "demo", "api_key": "sk-proj-Q2x7Rt9vLm3Kp8Zw4Yn6Bc1Df5Gh0Jk"},
    input="fix the failing test",
    tags=["ci"],
) as s:
    record_decision("tool_selection", options=["grep", "read_file"], chosen="grep", reasoning="the path is unknown")
    grep(pattern="TODO", token="ghp_0123456789abcdefghijABCDEFGHIJ0123456789")
    read_file(path="a.py")
    try:
        search_docs(query="pytest fixtures")
    except ConnectionError:
        pass
    record_metric("latency", 412, "ms")
    with llm_call("gpt-4.1-mini", provider="openai", input="summarize the fix") as call:
        call.set_usage(input_tokens=12, output_tokens=5)
        call.set_output("done")
    s.set_output("fixed")
