"""``session()``: one agent session as the ``session`` span everything inside belongs to."""

from __future__ import annotations

import uuid
from typing import Any, Callable, Optional, Sequence, TypeVar

from opentelemetry import context as otel_context
from opentelemetry.trace import INVALID_SPAN, Span

from . import _settings
from ._decorate import wrap
from ._guard import quietly
from ._propagation import set_propagated_attributes
from ._process import ProcessSample, cpu_metrics, memory_metrics, sample_process
from ._span_scope import AsyncWith, SpanScope
from .metric import add_metric_event
from .semconv import (
    ATTR_AGENT_NAME,
    ATTR_AGENT_VERSION,
    ATTR_SESSION_ID,
    ATTR_SESSION_NAME,
    ATTR_SESSION_INPUT,
    ATTR_SESSION_OUTPUT,
    ATTR_SESSION_TAGS,
    ATTR_SPAN_KIND,
    ATTR_USER_CONTEXT,
    ATTR_USER_ID,
    SpanKinds,
)

F = TypeVar("F", bound=Callable[..., Any])

#: What every span of the session carries (besides the session's name).
_PROPAGATED_KEYS = (ATTR_SESSION_ID, ATTR_USER_ID, ATTR_AGENT_NAME, ATTR_AGENT_VERSION, ATTR_SESSION_TAGS)


class Session(AsyncWith):
    """A running session: ``with session(...) as s`` gives it; also a decorator.

    Memory (RSS, and % of the memory limit) is recorded at start and end, CPU time (ms, and % of
    one core) at the end, as ``mini_agent.metric`` events, as the TypeScript ``withSession`` does.
    """

    def __init__(
        self,
        name: str,
        session_id: Optional[str],
        user_id: Optional[str],
        user_context: Any,
        input: Any,
        tags: Optional[Sequence[str]],
        agent_name: Optional[str],
        agent_version: Optional[str],
        start_time: Optional[int] = None,
    ) -> None:
        self._fields = (name, session_id, user_id, user_context, input, tags, agent_name, agent_version)
        self._start_time = start_time
        self._scope: Optional[SpanScope] = None
        self._context_token: Any = None
        #: The session id this session's spans carry (given, or a random UUID).
        self.session_id = session_id or str(uuid.uuid4())

    @property
    def span(self) -> Span:
        """The session's span."""
        return self._scope.span if self._scope else INVALID_SPAN

    def set_output(self, output: Any) -> None:
        """Records what the session answered (stored as JSON); becomes the trace's output."""

        def record() -> None:
            text = _settings.json_maker.dumps(output, ATTR_SESSION_OUTPUT)
            if text is not None:
                self.span.set_attribute(ATTR_SESSION_OUTPUT, text)

        quietly("recording a session output", record)

    def start(self) -> "Session":
        """Starts the session span and makes it current (what ``with`` does on entry)."""
        name, _, user_id, user_context, input, tags, agent_name, agent_version = self._fields
        maker = _settings.json_maker
        attributes: dict[str, Any] = {ATTR_SPAN_KIND: SpanKinds.SESSION, ATTR_SESSION_ID: maker.name(self.session_id)}

        def read_fields() -> None:
            if agent_name is not None:
                attributes[ATTR_AGENT_NAME] = maker.name(agent_name)
            if agent_version is not None:
                attributes[ATTR_AGENT_VERSION] = maker.name(agent_version)
            if user_id is not None:
                attributes[ATTR_USER_ID] = maker.name(user_id)
            for key, value in ((ATTR_USER_CONTEXT, user_context), (ATTR_SESSION_INPUT, input)):
                text = maker.dumps(value, key)
                if text is not None:
                    attributes[key] = text
            if tags is not None:
                attributes[ATTR_SESSION_TAGS] = [maker.name(t) for t in tags]

        quietly("reading session info", read_fields)
        first: list[ProcessSample] = []

        def on_start(span: Span) -> None:
            first.append(sample_process())
            for metric in memory_metrics(first[0]):
                add_metric_event(span, *metric)

        def before_end(span: Span) -> None:
            end = sample_process()
            for metric in memory_metrics(end):
                add_metric_event(span, *metric)
            if first:
                for metric in cpu_metrics(first[0], end):
                    add_metric_event(span, *metric)

        # Spans started inside, by anyone, carry the session's trace-level attributes (PropagatedAttributesProcessor).
        propagated = {k: attributes[k] for k in _PROPAGATED_KEYS if k in attributes}
        propagated[ATTR_SESSION_NAME] = maker.name(name)

        def enter_context() -> None:
            self._context_token = otel_context.attach(set_propagated_attributes(otel_context.get_current(), propagated))

        quietly("propagating session attributes", enter_context)
        self._scope = SpanScope(maker.name(name), attributes, on_start=on_start, before_end=before_end, start_time=self._start_time)
        self._scope.__enter__()
        return self

    def end(self, error: Optional[BaseException] = None, failure: Optional[str] = None) -> None:
        """Ends the session: failed with ``error`` (raised) or ``failure`` (a message), else OK."""
        if self._scope is not None:
            self._scope.finish(error, failure=failure)
        if self._context_token is not None:
            token, self._context_token = self._context_token, None
            quietly("restoring the context", lambda: otel_context.detach(token))

    def __enter__(self) -> "Session":
        return self.start()

    def __exit__(self, exc_type: Any, exc: Optional[BaseException], tb: Any) -> bool:
        self.end(exc)
        return False

    def __call__(self, fn: F) -> F:
        fields = self._fields

        def enter(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Session:
            # A fresh session per call, with its own id unless one was given.
            return Session(*fields)

        return wrap(fn, enter, lambda s, value: s.set_output(value))


def session(
    name: str = "agent session",
    *,
    session_id: Optional[str] = None,
    user_id: Optional[str] = None,
    user_context: Any = None,
    input: Any = None,
    tags: Optional[Sequence[str]] = None,
    agent_name: Optional[str] = None,
    agent_version: Optional[str] = None,
) -> Session:
    """One agent session: an active ``session`` span every tool, decision and LLM call inside joins.

    ``session_id`` groups several traces into one conversation (default: a random UUID);
    ``user_context`` and ``input`` are stored as JSON. As a decorator the return value is the
    session's output; as a context manager call ``set_output``. An exception marks the session
    failed and is re-raised unchanged.

    Example::

        with session("fix-bug", user_id="u-42", input="fix the failing test") as s:
            s.set_output(run_agent())
    """
    return Session(name, session_id, user_id, user_context, input, tags, agent_name, agent_version)
