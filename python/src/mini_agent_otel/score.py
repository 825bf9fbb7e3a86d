"""``record_score()``: one judgment of the current session or of one of its spans.

The score travels as a ``gen_ai.evaluation.result`` event (the OpenTelemetry GenAI convention) on
the current span, with the ``mini_agent.score.*`` attributes for what the event alone cannot say
(an id, the span judged, the data type, the source, the author). The bridge turns it into a
``scores`` row and a Langfuse score with the same id, exactly as for the TypeScript
``recordScore()``. The checks are the same on both sides.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Optional, Union

from opentelemetry import trace
from opentelemetry.util.types import AttributeValue

from ._guard import quietly
from ._limits import DEFAULT_LIMITS
from .semconv import (
    ATTR_SCORE_AUTHOR,
    ATTR_SCORE_DATA_TYPE,
    ATTR_SCORE_ID,
    ATTR_SCORE_SOURCE,
    ATTR_SCORE_SPAN_ID,
    ATTR_SCORE_TARGET,
    GenAiAttributes,
    GenAiEvents,
    ScoreDataTypes,
    ScoreSources,
    ScoreTargets,
)

_log = logging.getLogger("mini_agent_otel")
_DATA_TYPES = (ScoreDataTypes.NUMERIC, ScoreDataTypes.CATEGORICAL, ScoreDataTypes.BOOLEAN)


@dataclass(frozen=True)
class ScoreResult:
    """What :func:`record_score` did: ``recorded``, or refused with ``reason`` and ``message``."""

    recorded: bool
    reason: Optional[str] = None
    message: Optional[str] = None


@dataclass
class ScoreStats:
    """Scores recorded and refused in this process (refusals by reason)."""

    recorded: int = 0
    rejected: dict[str, int] = field(default_factory=dict)


_stats = ScoreStats()


def score_stats() -> ScoreStats:
    """A snapshot of what :func:`record_score` recorded and refused in this process."""
    return ScoreStats(recorded=_stats.recorded, rejected=dict(_stats.rejected))


def record_score(
    name: str,
    value: Union[int, float, bool, None] = None,
    *,
    label: Optional[str] = None,
    explanation: Optional[str] = None,
    span_id: Optional[str] = None,
    id: Optional[str] = None,  # noqa: A002 - the score's id, as in the TypeScript API
    data_type: Optional[str] = None,
    author: Optional[str] = None,
    source: Optional[str] = None,
) -> ScoreResult:
    """Records a score on the current span; without ``span_id`` it judges the whole session.

    Give a ``value`` (a finite number, or a bool for a boolean score), a ``label``, or both.
    ``id``: recorded again with the same id, the score replaces the first in every sink. Bad
    input (no name, neither value nor label, a value that is not a finite number, a name over
    512 characters) and a call outside any span are refused: logged, counted in
    :func:`score_stats`, returned with the reason. Never raises.

    Example::

        with session("answer"):
            record_score("helpfulness", 0.8, explanation="judge v2")
    """

    def record() -> ScoreResult:
        check = _check(name, value, label, data_type)
        if isinstance(check, ScoreResult):
            return check
        checked_name, checked_type, checked_value, checked_label = check
        active = trace.get_current_span()
        if not active.is_recording():
            return _refuse("score_without_span", f"score {checked_name}: record_score() ran outside any recording span (use it inside session(), or mini-agent-otel score later)")
        attributes: dict[str, AttributeValue] = {
            GenAiAttributes.EVALUATION_NAME: checked_name,
            ATTR_SCORE_DATA_TYPE: checked_type,
            ATTR_SCORE_SOURCE: source or ScoreSources.API,
        }
        if checked_value is not None:
            attributes[GenAiAttributes.EVALUATION_SCORE_VALUE] = checked_value
        if checked_label is not None:
            attributes[GenAiAttributes.EVALUATION_SCORE_LABEL] = checked_label
        if explanation:
            attributes[GenAiAttributes.EVALUATION_EXPLANATION] = str(explanation)
        if span_id:
            attributes[ATTR_SCORE_SPAN_ID] = span_id
        else:
            attributes[ATTR_SCORE_TARGET] = ScoreTargets.SESSION
        if id:
            attributes[ATTR_SCORE_ID] = id
        if author:
            attributes[ATTR_SCORE_AUTHOR] = author
        active.add_event(GenAiEvents.EVALUATION_RESULT, attributes)
        _stats.recorded += 1
        return ScoreResult(recorded=True)

    result = quietly("recording a score", record)
    return result if result is not None else _refuse("score_without_span", "the score could not be recorded (see the log)")


def _check(
    name: object, value: object, label: object, data_type: Optional[str]
) -> Union[ScoreResult, tuple[str, str, Optional[float], Optional[str]]]:
    """The checks of ``checkScore`` in ``@mini-agent/core``, with the same reasons."""
    text = name.strip() if isinstance(name, str) else ""
    if not text:
        return _refuse("score_without_name", "a score needs a name")
    limit = DEFAULT_LIMITS.max_name_length
    if len(text) > limit:
        return _refuse("score_name_too_long", f"the score name is {len(text)} characters long; the limit is {limit}")
    if data_type is not None and data_type not in _DATA_TYPES:
        return _refuse("score_unknown_data_type", f"unknown score data type {data_type!r}: use numeric, categorical or boolean")
    number: Optional[float] = None
    if value is not None:
        if isinstance(value, bool):
            number = 1.0 if value else 0.0
        elif isinstance(value, (int, float)) and math.isfinite(value):
            number = float(value)
        else:
            return _refuse("score_value_not_finite", f"score {text}: the value {value!r} is not a finite number")
    category = str(label) if label not in (None, "") else None
    if number is None and category is None:
        return _refuse("score_without_value", f"score {text} has neither a value nor a label")
    kind = data_type or (ScoreDataTypes.BOOLEAN if isinstance(value, bool) else ScoreDataTypes.NUMERIC if number is not None else ScoreDataTypes.CATEGORICAL)
    if kind == ScoreDataTypes.BOOLEAN and number not in (0.0, 1.0):
        return _refuse("score_boolean_not_0_or_1", f"boolean score {text} needs the value 0 or 1 (or True or False)")
    if kind == ScoreDataTypes.NUMERIC and number is None:
        return _refuse("score_without_value", f"numeric score {text} has no value")
    if kind == ScoreDataTypes.CATEGORICAL and category is None:
        category = _plain(number)
    return text, kind, number, category


def _plain(number: Optional[float]) -> str:
    """A number as the TypeScript side writes it (``1`` not ``1.0``)."""
    if number is None:
        return ""
    return str(int(number)) if number.is_integer() else repr(number)


def _refuse(reason: str, message: str) -> ScoreResult:
    _stats.rejected[reason] = _stats.rejected.get(reason, 0) + 1
    try:
        _log.warning("mini_agent_otel: score refused (%s): %s", reason, message)
    except Exception:  # noqa: BLE001 - a broken logging setup has nowhere left to report to
        pass
    return ScoreResult(recorded=False, reason=reason, message=message)
