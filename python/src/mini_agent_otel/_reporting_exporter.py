"""An exporter wrapper that counts what was delivered and lost, and says so once.

The OTLP exporter logs every failed batch; an agent whose endpoint is down would log one error
per batch for as long as the outage lasts. This wrapper logs the first loss (where to, why, how
to look at the counts) and counts the rest, which :meth:`stats` reports.
"""

from __future__ import annotations

import logging
import threading
from typing import Optional, Sequence

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

_log = logging.getLogger("mini_agent_otel")
_OTLP_LOGGER = "opentelemetry.exporter.otlp.proto.http.trace_exporter"
_exporting = threading.local()


class _WhileExporting(logging.Filter):
    """Drops the OTLP exporter's own records while this wrapper is exporting, on that thread only."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(_exporting, "active", False):
            return True
        # The first is kept (the most specific), so the one line this wrapper logs can say why.
        if _exporting.reason is None:
            _exporting.reason = record.getMessage()
        return False


_filter = _WhileExporting()


class ReportingExporter(SpanExporter):
    """Delegates to ``inner``; counts spans exported and dropped; logs the first loss only."""

    def __init__(self, inner: SpanExporter, destination: str) -> None:
        self._inner = inner
        self._destination = destination
        self._lock = threading.Lock()
        self._exported = 0
        self._dropped = 0
        self._failed_exports = 0
        self._reported = False
        logger = logging.getLogger(_OTLP_LOGGER)
        if _filter not in logger.filters:
            logger.addFilter(_filter)

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        _exporting.active, _exporting.reason = True, None
        error: Optional[BaseException] = None
        try:
            result = self._inner.export(spans)
        except Exception as caught:  # noqa: BLE001 - an exporter bug is a loss, not the agent's crash
            result, error = SpanExportResult.FAILURE, caught
        finally:
            _exporting.active = False
        with self._lock:
            if result is SpanExportResult.SUCCESS:
                self._exported += len(spans)
                return result
            self._dropped += len(spans)
            self._failed_exports += 1
            first, self._reported = not self._reported, True
        if first:
            reason = f" ({error})" if error else f" ({_exporting.reason})" if _exporting.reason else ""
            _log.error(
                "mini_agent_otel: could not deliver %d span(s) to %s%s; the agent continues, and further "
                "losses are counted (Telemetry.stats()) rather than logged",
                len(spans),
                self._destination,
                reason or " (is `mini-agent-otel serve` running?)",
            )
        return result

    def stats(self) -> dict[str, int]:
        """Spans delivered, spans lost, and failed export calls, since start."""
        with self._lock:
            return {"exported": self._exported, "dropped": self._dropped, "failed_exports": self._failed_exports}

    def shutdown(self) -> None:
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._inner.force_flush(timeout_millis)
