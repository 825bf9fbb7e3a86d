"""One span around one piece of the agent's work, as a context manager.

Every helper (session, tool, LLM call) is this plus its attributes: the span starts as a child
of the current span and becomes current; an exception leaving the block is recorded (an
``exception`` event and status ERROR with its message, as OpenTelemetry defines failure) and goes
on unchanged; otherwise the status is OK. Nothing here raises because of telemetry.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Span, Status, StatusCode
from opentelemetry.util.types import Attributes

from . import _settings
from ._guard import quietly


class AsyncWith:
    """``async with`` for a context manager whose ``with`` never blocks: the same enter and exit."""

    async def __aenter__(self) -> Any:
        return self.__enter__()  # type: ignore[attr-defined]

    async def __aexit__(self, *exc: Any) -> bool:
        return self.__exit__(*exc)  # type: ignore[attr-defined,no-any-return]


class SpanScope(AsyncWith):
    """Starts ``name`` with ``attributes`` on enter, ends it on exit; usable with ``with`` and ``async with``."""

    def __init__(
        self,
        name: str,
        attributes: Attributes,
        *,
        on_start: Optional[Callable[[Span], None]] = None,
        before_end: Optional[Callable[[Span], None]] = None,
        start_time: Optional[int] = None,
    ) -> None:
        self._name = name
        self._attributes = attributes
        self._on_start = on_start
        self._before_end = before_end
        self._start_time = start_time
        self._token: Any = None
        self.span: Span = trace.INVALID_SPAN

    def __enter__(self) -> Span:
        started = quietly(
            "starting a span",
            lambda: _settings.tracer().start_span(self._name, attributes=self._attributes, start_time=self._start_time),
        )
        if started is None:
            return self.span
        self.span = started
        if self._on_start is not None:
            quietly("preparing a span", lambda: self._on_start(started))  # type: ignore[misc]
        self._token = quietly("activating a span", lambda: otel_context.attach(trace.set_span_in_context(started)))
        return started

    def __exit__(self, exc_type: Any, exc: Optional[BaseException], tb: Any) -> bool:
        self.finish(exc)
        return False  # the agent's exception goes on unchanged

    def finish(self, error: Optional[BaseException] = None, end_time: Optional[int] = None, failure: Optional[str] = None) -> None:
        """Records the outcome and ends the span (once): ``error`` raised, or ``failure`` reported without one."""
        span = self.span
        if self._token is not None:
            token, self._token = self._token, None
            quietly("leaving a span", lambda: otel_context.detach(token))
        if span is trace.INVALID_SPAN or not span.is_recording():
            return
        if error is not None:
            quietly("recording an error", lambda: record_failure(span, error))
        elif failure is not None:
            quietly("setting a span status", lambda: span.set_status(Status(StatusCode.ERROR, failure)))
        else:
            quietly("setting a span status", lambda: span.set_status(Status(StatusCode.OK)))
        if self._before_end is not None:
            quietly("finishing a span", lambda: self._before_end(span))  # type: ignore[misc]
        quietly("ending a span", lambda: span.end(end_time=end_time))


def record_failure(span: Span, error: BaseException) -> None:
    """Marks ``span`` failed with ``error``: an ``exception`` event and status ERROR with its message."""
    span.record_exception(error)
    message = str(error) or type(error).__name__
    span.set_status(Status(StatusCode.ERROR, message))


class ScopedHandle(AsyncWith):
    """What ``with helper(...) as handle`` gives: the span, and ``with`` / ``async with`` over the scope."""

    def __init__(self, scope: SpanScope) -> None:
        self._scope = scope

    @property
    def span(self) -> Span:
        """The span of this piece of work."""
        return self._scope.span

    def __enter__(self) -> Any:
        self._scope.__enter__()
        return self

    def __exit__(self, *exc: Any) -> bool:
        return self._scope.__exit__(*exc)
