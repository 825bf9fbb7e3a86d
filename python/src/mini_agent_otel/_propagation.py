"""A session's trace-level attributes on every span started inside it, whoever starts it.

``session()`` puts them in the OpenTelemetry context; :class:`PropagatedAttributesProcessor` (added
by ``configure()``) copies them onto each span when it starts, so a span an instrumentation makes
inside a session (an OpenAI call, an HTTP request) carries the session id, user id, agent name
and version and tags, as the TypeScript ``withSession()`` does.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from opentelemetry import context as otel_context
from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor

_KEY = otel_context.create_key("mini_agent.propagated_attributes")


def set_propagated_attributes(ctx: Optional[Context], attributes: Mapping[str, Any]) -> Context:
    """A context in which every span started carries ``attributes`` (an inner session's win on the same key)."""
    merged = dict(otel_context.get_value(_KEY, ctx) or {})  # type: ignore[arg-type]
    merged.update({k: v for k, v in attributes.items() if v is not None})
    return otel_context.set_value(_KEY, merged, ctx)


def get_propagated_attributes(ctx: Optional[Context] = None) -> dict[str, Any]:
    """The attributes :func:`set_propagated_attributes` put in ``ctx`` (the current context by default)."""
    return dict(otel_context.get_value(_KEY, ctx) or {})  # type: ignore[arg-type]


class PropagatedAttributesProcessor(SpanProcessor):
    """Copies the propagated attributes of the span's parent context onto it when it starts; its own values win."""

    def on_start(self, span: Span, parent_context: Optional[Context] = None) -> None:
        propagated = otel_context.get_value(_KEY, parent_context)
        if not propagated:
            return
        own = span.attributes or {}
        for key, value in propagated.items():  # type: ignore[attr-defined]
            if key not in own:
                span.set_attribute(key, value)

    def on_end(self, span: ReadableSpan) -> None:
        pass

    def shutdown(self) -> None:
        pass

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True
