"""OpenTelemetry helpers for Python AI agents.

Sessions, tool calls, LLM calls, decisions, performance metrics and scores become ordinary OpenTelemetry
spans with the ``mini_agent.*`` attributes, exported over OTLP/HTTP to ``mini-agent-otel serve``
or an OpenTelemetry Collector, and from there into PostgreSQL/Supabase rows and Langfuse.

Example::

    from mini_agent_otel import configure, session, tool, record_decision

    configure(service_name="my-agent")

    @tool(category="file")
    def read_file(path: str) -> str:
        return open(path).read()

    with session("fix-bug", user_id="u-42", input="fix the failing test") as s:
        record_decision("tool_selection", options=["grep", "read_file"], chosen="read_file")
        s.set_output(read_file("README.md")[:100])
"""

from ._configure import DEFAULT_ENDPOINT, Telemetry, configure
from .decision import record_decision
from .facade import MiniAgentObservability, trace_tool_execution
from .llm_call import LlmCall, llm_call
from .metric import record_metric
from .score import ScoreResult, ScoreStats, record_score, score_stats
from .session import Session, session
from .tool import ToolCall, tool
from .version import __version__

__all__ = [
    "DEFAULT_ENDPOINT",
    "LlmCall",
    "MiniAgentObservability",
    "Session",
    "ScoreResult",
    "ScoreStats",
    "Telemetry",
    "ToolCall",
    "__version__",
    "configure",
    "llm_call",
    "record_decision",
    "record_metric",
    "record_score",
    "score_stats",
    "session",
    "tool",
    "trace_tool_execution",
]
