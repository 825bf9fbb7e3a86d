"""The original plan's client API, ``MiniAgentObservability``, as a thin layer on the helpers.

Code written against that plan runs unchanged: ``start_trace`` opens a session (current until
``end_trace``), ``log_tool_execution`` records a call that already finished (its span back-dated
by ``duration_ms``), ``log_performance_metric`` and ``log_decision`` land on the open session,
and ``@trace_tool_execution(category=...)`` wraps a tool function.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Mapping, Optional, TypeVar

from . import _settings
from ._guard import quietly
from ._span_scope import SpanScope
from ._configure import Telemetry, configure, configured
from .decision import record_decision
from .metric import record_metric
from .semconv import ATTR_SPAN_KIND, ATTR_TOOL_CATEGORY, ATTR_TOOL_INPUT, ATTR_TOOL_NAME, ATTR_TOOL_OUTPUT, GenAiAttributes, SpanKinds
from .session import Session
from .tool import tool

F = TypeVar("F", bound=Callable[..., Any])


def trace_tool_execution(category: str = "other", name: Optional[str] = None) -> Callable[[F], F]:
    """Decorates a tool function: each call becomes a tool span (arguments in, return value out).

    Example::

        @trace_tool_execution(category="file")
        def read_file(path: str) -> str: ...
    """
    return tool(name, category=category)


class MiniAgentObservability:
    """The original client: one object per agent, exporting over OTLP/HTTP.

    The constructor calls :func:`~mini_agent_otel.configure` (once per process; later objects
    share it). Every method is safe to call in any order and never raises because of telemetry.
    """

    def __init__(
        self,
        service_name: Optional[str] = None,
        endpoint: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
        **options: Any,
    ) -> None:
        self.telemetry: Optional[Telemetry] = quietly("configuring export", lambda: _configure_once(service_name, endpoint, headers, options))
        self._session: Optional[Session] = None

    def start_trace(
        self,
        session_id: Optional[str] = None,
        user_context: Any = None,
        *,
        name: str = "agent session",
        user_id: Optional[str] = None,
        input: Any = None,
        tags: Optional[list[str]] = None,
    ) -> str:
        """Opens the session; everything logged until :meth:`end_trace` belongs to it. Returns its session id.

        ``user_id`` defaults to ``user_context["user_id"]`` when the context is a mapping that has one.
        An open session is ended first.
        """
        if self._session is not None:
            self.end_trace()
        if user_id is None and isinstance(user_context, Mapping):
            found = user_context.get("user_id")
            user_id = None if found is None else str(found)
        self._session = Session(name, session_id, user_id, user_context, input, tags, None, None)
        quietly("starting a session", self._session.start)
        return self._session.session_id

    def log_tool_execution(
        self,
        tool_name: str,
        category: str,
        input_data: Any = None,
        output_data: Any = None,
        duration_ms: float = 0,
        success: bool = True,
        error_message: Optional[str] = None,
    ) -> None:
        """Records a tool call that already happened: it ended now and began ``duration_ms`` ago."""

        def record() -> None:
            maker = _settings.json_maker
            name = maker.name(tool_name)
            end = time.time_ns()
            attributes: dict[str, Any] = {
                ATTR_SPAN_KIND: SpanKinds.TOOL,
                ATTR_TOOL_NAME: name,
                ATTR_TOOL_CATEGORY: maker.name(category),
                GenAiAttributes.OPERATION_NAME: "execute_tool",
                GenAiAttributes.TOOL_NAME: name,
            }
            for key, value in ((ATTR_TOOL_INPUT, input_data), (ATTR_TOOL_OUTPUT, output_data)):
                text = maker.dumps(value, key)
                if text is not None:
                    attributes[key] = text
            start = end - int(max(float(duration_ms), 0.0) * 1_000_000)
            scope = SpanScope(f"execute_tool {name}", attributes, start_time=start)
            scope.__enter__()
            failure = None if success else (maker.text(error_message) if error_message else "tool reported failure")
            scope.finish(end_time=end, failure=failure)

        quietly("logging a tool execution", record)

    def log_performance_metric(self, metric_type: str, value: float, unit: Optional[str] = None) -> None:
        """Records one metric on the open session (``memory``, ``cpu``, ``latency``, ``tokens`` or your own)."""
        record_metric(metric_type, value, unit)

    def log_decision(self, decision_type: str, options: Any = None, chosen: Any = None, reasoning: Optional[str] = None) -> None:
        """Records a decision on the open session."""
        record_decision(decision_type, options, chosen, reasoning)

    def end_trace(self, output: Any = None, success: bool = True, error_message: Optional[str] = None) -> None:
        """Closes the session: its output, and failed when ``success`` is False."""
        current, self._session = self._session, None
        if current is None:
            return

        def end() -> None:
            if output is not None:
                current.set_output(output)
            current.end(failure=None if success else _settings.json_maker.text(error_message or "session failed"))

        quietly("ending a session", end)

    def flush(self, timeout_millis: int = 30_000) -> bool:
        """Sends what is queued now."""
        return bool(self.telemetry and self.telemetry.force_flush(timeout_millis))

    def trace_tool_execution(self, category: str = "other", name: Optional[str] = None) -> Callable[[F], F]:
        """The decorator :func:`trace_tool_execution`, as a method."""
        return trace_tool_execution(category, name)


def _configure_once(service_name: Optional[str], endpoint: Optional[str], headers: Optional[Mapping[str, str]], options: dict[str, Any]) -> Telemetry:
    existing = configured()
    return existing if existing is not None else configure(service_name, endpoint, headers, **options)
