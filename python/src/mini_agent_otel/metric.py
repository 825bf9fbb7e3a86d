"""``record_metric()``: one performance measurement as a ``mini_agent.metric`` event."""

from __future__ import annotations

from typing import Optional, Union

from opentelemetry import trace
from opentelemetry.trace import Span

from . import _settings
from ._guard import quietly
from .semconv import ATTR_METRIC_TYPE, ATTR_METRIC_UNIT, ATTR_METRIC_VALUE, ATTR_SPAN_KIND, EVENT_METRIC, SpanKinds


def record_metric(metric_type: str, value: Union[int, float], unit: Optional[str] = None) -> None:
    """Records a metric on the current span (the session, tool or LLM call it was measured in).

    Outside any span it gets a short span of its own, so it is not lost. ``metric_type``:
    ``memory``, ``cpu``, ``latency``, ``tokens`` or your own; ``unit`` UCUM-style (``ms``, ``By``,
    ``%``, ``{token}``). Never raises.

    Example::

        record_metric("latency", 412, "ms")
    """

    def record() -> None:
        active = trace.get_current_span()
        if active.is_recording():
            add_metric_event(active, metric_type, value, unit)
            return
        span = _settings.tracer().start_span(f"metric {metric_type}", attributes={ATTR_SPAN_KIND: SpanKinds.STEP})
        add_metric_event(span, metric_type, value, unit)
        span.end()

    quietly("recording a metric", record)


def add_metric_event(span: Span, metric_type: str, value: Union[int, float], unit: Optional[str] = None) -> None:
    """Adds one ``mini_agent.metric`` event to ``span``."""
    maker = _settings.json_maker
    attributes: dict[str, Union[str, int, float]] = {
        ATTR_METRIC_TYPE: maker.name(metric_type),
        # A non-number is passed on as text rather than dropped: the bridge keeps it visible.
        ATTR_METRIC_VALUE: value if isinstance(value, (int, float)) and not isinstance(value, bool) else maker.text(value),
    }
    if unit is not None:
        attributes[ATTR_METRIC_UNIT] = maker.name(unit)
    span.add_event(EVENT_METRIC, attributes)
