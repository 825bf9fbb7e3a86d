"""``record_decision()``: a choice the agent made, as a ``mini_agent.decision`` event."""

from __future__ import annotations

from typing import Any, Optional

from opentelemetry import trace

from . import _settings
from ._guard import quietly
from .semconv import (
    ATTR_DECISION_CHOSEN,
    ATTR_DECISION_OPTIONS,
    ATTR_DECISION_REASONING,
    ATTR_DECISION_TYPE,
    ATTR_SPAN_KIND,
    EVENT_DECISION,
    SpanKinds,
)


def record_decision(decision_type: str, options: Any = None, chosen: Any = None, reasoning: Optional[str] = None) -> None:
    """Records a decision on the current span; outside any span, as a short ``decision`` span.

    ``decision_type``: ``tool_selection``, ``plan``, ``stop`` or your own; ``options``: what was
    considered (any JSON value, usually a list); ``chosen``: a string, or anything (stored as
    JSON); ``reasoning``: why. Never raises.

    Example::

        record_decision("tool_selection", options=["grep", "read_file"], chosen="grep", reasoning="the path is unknown")
    """

    def record() -> None:
        attributes = decision_attributes(decision_type, options, chosen, reasoning)
        active = trace.get_current_span()
        if active.is_recording():
            active.add_event(EVENT_DECISION, attributes)
            return
        _settings.tracer().start_span(
            f"decision {attributes[ATTR_DECISION_TYPE]}", attributes={ATTR_SPAN_KIND: SpanKinds.DECISION, **attributes}
        ).end()

    quietly("recording a decision", record)


def decision_attributes(decision_type: str, options: Any, chosen: Any, reasoning: Optional[str]) -> dict[str, str]:
    """The ``mini_agent.decision.*`` attributes of one decision."""
    maker = _settings.json_maker
    attributes = {ATTR_DECISION_TYPE: maker.name(decision_type)}
    options_text = maker.dumps(options, ATTR_DECISION_OPTIONS)
    if options_text is not None:
        attributes[ATTR_DECISION_OPTIONS] = options_text
    chosen_text = maker.text(chosen) if isinstance(chosen, str) else maker.dumps(chosen, ATTR_DECISION_CHOSEN)
    if chosen_text is not None:
        attributes[ATTR_DECISION_CHOSEN] = chosen_text
    if reasoning is not None:
        attributes[ATTR_DECISION_REASONING] = maker.text(reasoning)
    return attributes
