"""Telemetry work that may fail without the agent noticing."""

from __future__ import annotations

import logging
from typing import Callable, Optional, TypeVar

T = TypeVar("T")
_log = logging.getLogger("mini_agent_otel")


def quietly(what: str, action: Callable[[], T]) -> Optional[T]:
    """Runs ``action``; what it raises is logged as a warning and swallowed.

    A broken exporter, processor or serializer must never become the agent's error.
    """
    try:
        return action()
    except Exception:  # noqa: BLE001 - by design: telemetry never raises into the agent
        try:
            _log.warning("mini_agent_otel: %s failed; the agent continues without it", what, exc_info=True)
        except Exception:  # noqa: BLE001 - a broken logging setup has nowhere left to report to
            pass
        return None
