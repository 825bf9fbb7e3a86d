"""The ``mini_agent.*`` attribute contract: names, value enums and the GenAI names the helpers set.

The same names as ``@mini-agent/semconv``. The contract's machine-readable form,
``semconv.json`` (written from the TypeScript package and shipped in this one), is what both
languages' tests hold their constants to; :data:`SPEC` loads it.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, Final


def _load_spec() -> dict[str, Any]:
    return json.loads(resources.files(__package__).joinpath("semconv.json").read_text("utf-8"))


#: The shipped ``semconv.json``: ``attributes``, ``events``, ``enums``, ``genAi``.
SPEC: Final[dict[str, Any]] = _load_spec()

#: What a span is: one of :class:`SpanKinds`. Inferred from other conventions when absent, else ``step``.
ATTR_SPAN_KIND: Final = "mini_agent.span.kind"
#: The agent session (string). Set on the session span; records of its trace inherit it.
ATTR_SESSION_ID: Final = "mini_agent.session.id"
#: Which agent (string). On the session span or the resource.
ATTR_AGENT_NAME: Final = "mini_agent.agent.name"
#: The agent's version (string). Falls back to the resource's ``service.version``.
ATTR_AGENT_VERSION: Final = "mini_agent.agent.version"
#: Who the session is for (string).
ATTR_USER_ID: Final = "mini_agent.user.id"
#: In what context the user works (JSON string).
ATTR_USER_CONTEXT: Final = "mini_agent.user.context"
#: What the session was asked (JSON string); becomes the trace's input.
ATTR_SESSION_INPUT: Final = "mini_agent.session.input"
#: What the session answered (JSON string); becomes the trace's output.
ATTR_SESSION_OUTPUT: Final = "mini_agent.session.output"
#: Labels for the session (string array); become the trace's tags.
ATTR_SESSION_TAGS: Final = "mini_agent.session.tags"
#: The session's name (string), copied onto the spans started inside it; becomes the trace's name.
ATTR_SESSION_NAME: Final = "mini_agent.session.name"
#: Where the agent runs (string), e.g. ``production``; propagated to every span of the session.
ATTR_ENVIRONMENT: Final = "mini_agent.environment"
#: The tool's name (string), on a tool span.
ATTR_TOOL_NAME: Final = "mini_agent.tool.name"
#: One of :class:`ToolCategories`; unknown values are stored as ``other``.
ATTR_TOOL_CATEGORY: Final = "mini_agent.tool.category"
#: The tool's arguments (JSON string).
ATTR_TOOL_INPUT: Final = "mini_agent.tool.input"
#: The tool's result (JSON string).
ATTR_TOOL_OUTPUT: Final = "mini_agent.tool.output"
#: Where the tool lives (string), e.g. the MCP server's name.
ATTR_TOOL_SERVER: Final = "mini_agent.tool.server"
#: The kind of decision (string), e.g. ``tool_selection``, ``plan``, ``stop``.
ATTR_DECISION_TYPE: Final = "mini_agent.decision.type"
#: The options considered (JSON array string).
ATTR_DECISION_OPTIONS: Final = "mini_agent.decision.options"
#: What was chosen (string).
ATTR_DECISION_CHOSEN: Final = "mini_agent.decision.chosen"
#: Why it was chosen (string).
ATTR_DECISION_REASONING: Final = "mini_agent.decision.reasoning"
#: The metric's type: one of :class:`MetricTypes` or any custom string.
ATTR_METRIC_TYPE: Final = "mini_agent.metric.type"
#: The metric's value (number).
ATTR_METRIC_VALUE: Final = "mini_agent.metric.value"
#: The metric's unit (string), e.g. ``ms``, ``By``, ``%``, ``{token}``.
ATTR_METRIC_UNIT: Final = "mini_agent.metric.unit"

#: A score's own id: a score recorded again with the same id replaces the first.
ATTR_SCORE_ID: Final = "mini_agent.score.id"
#: What a score judges: ``span`` (the span carrying the event) or ``session`` (the whole trace).
ATTR_SCORE_TARGET: Final = "mini_agent.score.target"
#: The span a score judges, when it is not the span carrying the event.
ATTR_SCORE_SPAN_ID: Final = "mini_agent.score.span_id"
#: One of :class:`ScoreDataTypes`; inferred when absent.
ATTR_SCORE_DATA_TYPE: Final = "mini_agent.score.data_type"
#: Where a score came from: one of :class:`ScoreSources`.
ATTR_SCORE_SOURCE: Final = "mini_agent.score.source"
#: Who or what gave the score (string).
ATTR_SCORE_AUTHOR: Final = "mini_agent.score.author"

#: Span event carrying one performance metric.
EVENT_METRIC: Final = "mini_agent.metric"
#: Span event carrying a decision made inside another span.
EVENT_DECISION: Final = "mini_agent.decision"


class SpanKinds:
    """Values of :data:`ATTR_SPAN_KIND`."""

    SESSION: Final = "session"
    TOOL: Final = "tool"
    DECISION: Final = "decision"
    LLM: Final = "llm"
    STEP: Final = "step"


class ToolCategories:
    """Values of :data:`ATTR_TOOL_CATEGORY`."""

    CORE: Final = "core"
    FILE: Final = "file"
    MCP: Final = "mcp"
    DOCUMENT: Final = "document"
    SKILL: Final = "skill"
    OTHER: Final = "other"


class MetricTypes:
    """Well-known values of :data:`ATTR_METRIC_TYPE`; any other string is a custom metric."""

    MEMORY: Final = "memory"
    CPU: Final = "cpu"
    LATENCY: Final = "latency"
    TOKENS: Final = "tokens"


class ScoreDataTypes:
    """Values of :data:`ATTR_SCORE_DATA_TYPE`. ``boolean`` scores have the value 0 or 1."""

    NUMERIC: Final = "numeric"
    CATEGORICAL: Final = "categorical"
    BOOLEAN: Final = "boolean"


class ScoreSources:
    """Values of :data:`ATTR_SCORE_SOURCE`."""

    EVALUATION: Final = "evaluation"
    API: Final = "api"
    ANNOTATION: Final = "annotation"


class ScoreTargets:
    """Values of :data:`ATTR_SCORE_TARGET`."""

    SPAN: Final = "span"
    SESSION: Final = "session"


class GenAiEvents:
    """OpenTelemetry GenAI event names, as ``@mini-agent/semconv`` keeps them."""

    EVALUATION_RESULT: Final = "gen_ai.evaluation.result"


class GenAiAttributes:
    """OpenTelemetry GenAI attribute names, as ``@mini-agent/semconv`` keeps them."""

    AGENT_ID: Final = "gen_ai.agent.id"
    CLIENT_OPERATION_TIME_TO_FIRST_CHUNK: Final = "gen_ai.client.operation.time_to_first_chunk"
    AGENT_NAME: Final = "gen_ai.agent.name"
    AGENT_VERSION: Final = "gen_ai.agent.version"
    CONVERSATION_ID: Final = "gen_ai.conversation.id"
    ERROR_TYPE: Final = "error.type"
    EVALUATION_EXPLANATION: Final = "gen_ai.evaluation.explanation"
    EVALUATION_NAME: Final = "gen_ai.evaluation.name"
    EVALUATION_SCORE_LABEL: Final = "gen_ai.evaluation.score.label"
    EVALUATION_SCORE_VALUE: Final = "gen_ai.evaluation.score.value"
    INPUT_MESSAGES: Final = "gen_ai.input.messages"
    OPERATION_NAME: Final = "gen_ai.operation.name"
    OUTPUT_MESSAGES: Final = "gen_ai.output.messages"
    PROVIDER_NAME: Final = "gen_ai.provider.name"
    REQUEST_FREQUENCY_PENALTY: Final = "gen_ai.request.frequency_penalty"
    REQUEST_MAX_TOKENS: Final = "gen_ai.request.max_tokens"
    REQUEST_MODEL: Final = "gen_ai.request.model"
    REQUEST_PRESENCE_PENALTY: Final = "gen_ai.request.presence_penalty"
    REQUEST_SEED: Final = "gen_ai.request.seed"
    REQUEST_STOP_SEQUENCES: Final = "gen_ai.request.stop_sequences"
    REQUEST_TEMPERATURE: Final = "gen_ai.request.temperature"
    REQUEST_TOP_K: Final = "gen_ai.request.top_k"
    REQUEST_TOP_P: Final = "gen_ai.request.top_p"
    RESPONSE_ID: Final = "gen_ai.response.id"
    RESPONSE_MODEL: Final = "gen_ai.response.model"
    RESPONSE_TIME_TO_FIRST_CHUNK: Final = "gen_ai.response.time_to_first_chunk"
    SYSTEM: Final = "gen_ai.system"
    SYSTEM_INSTRUCTIONS: Final = "gen_ai.system_instructions"
    TOOL_CALL_ARGUMENTS: Final = "gen_ai.tool.call.arguments"
    TOOL_CALL_ID: Final = "gen_ai.tool.call.id"
    TOOL_CALL_RESULT: Final = "gen_ai.tool.call.result"
    TOOL_NAME: Final = "gen_ai.tool.name"
    TOOL_TYPE: Final = "gen_ai.tool.type"
    USAGE_CACHE_CREATION_INPUT_TOKENS: Final = "gen_ai.usage.cache_creation.input_tokens"
    USAGE_CACHE_READ_INPUT_TOKENS: Final = "gen_ai.usage.cache_read.input_tokens"
    USAGE_COMPLETION_TOKENS: Final = "gen_ai.usage.completion_tokens"
    USAGE_COST: Final = "gen_ai.usage.cost"
    USAGE_INPUT_TOKENS: Final = "gen_ai.usage.input_tokens"
    USAGE_OUTPUT_TOKENS: Final = "gen_ai.usage.output_tokens"
    USAGE_PROMPT_TOKENS: Final = "gen_ai.usage.prompt_tokens"
    USAGE_REASONING_OUTPUT_TOKENS: Final = "gen_ai.usage.reasoning.output_tokens"


#: Every tool category, in contract order.
TOOL_CATEGORIES: Final = (
    ToolCategories.CORE,
    ToolCategories.FILE,
    ToolCategories.MCP,
    ToolCategories.DOCUMENT,
    ToolCategories.SKILL,
    ToolCategories.OTHER,
)
