"""``configure()``: export this process's spans over OTLP/HTTP to the bridge or a Collector."""

from __future__ import annotations

import atexit
import logging
import os
import threading
from dataclasses import dataclass
from typing import Mapping, Optional, Sequence
from urllib.parse import urlsplit

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import SERVICE_NAME, SERVICE_VERSION, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from ._propagation import PropagatedAttributesProcessor
from opentelemetry.util.re import parse_env_headers

from . import _settings
from ._json import JsonMaker
from ._redact import Redactor
from ._reporting_exporter import ReportingExporter
from .semconv import ATTR_AGENT_NAME

_log = logging.getLogger("mini_agent_otel")

#: Where spans go when neither ``endpoint`` nor an ``OTEL_EXPORTER_OTLP_*`` variable says: ``mini-agent-otel serve``'s default.
DEFAULT_ENDPOINT = "http://127.0.0.1:4319/v1/traces"


@dataclass
class Telemetry:
    """What :func:`configure` set up: the provider, and the delivery counts."""

    #: The SDK provider spans go through (yours when one was configured before).
    provider: TracerProvider
    #: True when ``configure`` added its exporter to a provider that was already configured.
    attached: bool
    #: Where spans are sent.
    endpoint: str
    processor: BatchSpanProcessor
    exporter: ReportingExporter

    def stats(self) -> dict[str, int]:
        """Spans exported and dropped (and failed export calls) so far."""
        return self.exporter.stats()

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        """Sends what is queued now; True when it all went out in time."""
        return self.processor.force_flush(timeout_millis)

    def shutdown(self) -> None:
        """Flushes and stops exporting (also done at exit)."""
        if self.attached:
            self.processor.shutdown()
        else:
            self.provider.shutdown()


_lock = threading.Lock()
_configured: Optional[Telemetry] = None


def configure(
    service_name: Optional[str] = None,
    endpoint: Optional[str] = None,
    headers: Optional[Mapping[str, str]] = None,
    *,
    service_version: Optional[str] = None,
    agent_name: Optional[str] = None,
    redact: bool = True,
    redact_patterns: Sequence[str] = (),
    allow_keys: Sequence[str] = (),
    timeout: Optional[float] = None,
) -> Telemetry:
    """Exports every span of this process over OTLP/HTTP (protobuf), batched, flushed at exit.

    ``endpoint``: the traces URL, or a base URL (``http://host:4319``; ``/v1/traces`` is added).
    Without one: ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``, ``OTEL_EXPORTER_OTLP_ENDPOINT``
    (+ ``/v1/traces``), else :data:`DEFAULT_ENDPOINT`. ``headers`` add to
    ``OTEL_EXPORTER_OTLP_HEADERS``; ``MINI_AGENT_BRIDGE_TOKEN`` becomes ``Authorization: Bearer …``
    unless ``headers`` set one. Secrets are masked in the values the helpers record
    (``redact=False`` turns that off; ``redact_patterns`` add regular expressions to
    ``MINI_AGENT_REDACT``'s; ``allow_keys`` names fields never masked).

    When a ``TracerProvider`` of the SDK is already global, the exporter is added to it instead of
    replacing it (and a line says so). A second call returns the first result.

    Example::

        from mini_agent_otel import configure
        telemetry = configure(service_name="my-agent")   # MINI_AGENT_BRIDGE_TOKEN from the environment
    """
    global _configured
    with _lock:
        if _configured is not None:
            _log.warning("mini_agent_otel: configure() was already called; keeping the first configuration")
            return _configured
        env = os.environ
        _settings.set_json_maker(
            JsonMaker(Redactor(enabled=redact, extra_patterns=[*_env_patterns(env), *redact_patterns], allow_keys=allow_keys))
        )
        url = _traces_url(endpoint, env)
        exporter = ReportingExporter(OTLPSpanExporter(endpoint=url, headers=_headers(headers, env), timeout=timeout), url)
        processor = BatchSpanProcessor(exporter)
        current = trace.get_tracer_provider()
        if isinstance(current, TracerProvider):
            current.add_span_processor(PropagatedAttributesProcessor())
            current.add_span_processor(processor)
            atexit.register(processor.shutdown)
            _log.warning("mini_agent_otel: a TracerProvider is already configured; adding the OTLP exporter to it (%s) instead of replacing it", url)
            _configured = Telemetry(current, True, url, processor, exporter)
            return _configured
        name = service_name or env.get("OTEL_SERVICE_NAME") or "mini-agent"
        attributes = {SERVICE_NAME: name, ATTR_AGENT_NAME: agent_name or name}
        if service_version:
            attributes[SERVICE_VERSION] = service_version
        provider = TracerProvider(resource=Resource.create(attributes))  # flushed and shut down at exit
        # First: the session's attributes are on each span before any other processor sees it start.
        provider.add_span_processor(PropagatedAttributesProcessor())
        provider.add_span_processor(processor)
        trace.set_tracer_provider(provider)
        _configured = Telemetry(provider, False, url, processor, exporter)
        return _configured


def _traces_url(endpoint: Optional[str], env: Mapping[str, str]) -> str:
    if endpoint:
        path = urlsplit(endpoint).path
        return endpoint.rstrip("/") + "/v1/traces" if path in ("", "/") else endpoint
    if env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        return env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]
    if env.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        return env["OTEL_EXPORTER_OTLP_ENDPOINT"].rstrip("/") + "/v1/traces"
    return DEFAULT_ENDPOINT


def _headers(given: Optional[Mapping[str, str]], env: Mapping[str, str]) -> dict[str, str]:
    # Passing headers replaces the exporter's own reading of the variables: read them here too.
    merged = dict(parse_env_headers(env.get("OTEL_EXPORTER_OTLP_HEADERS", ""), liberal=True))
    merged.update(parse_env_headers(env.get("OTEL_EXPORTER_OTLP_TRACES_HEADERS", ""), liberal=True))
    merged.update(given or {})
    token = env.get("MINI_AGENT_BRIDGE_TOKEN", "").strip()
    if token and not any(k.lower() == "authorization" for k in merged):
        merged["Authorization"] = f"Bearer {token}"
    return merged


def _env_patterns(env: Mapping[str, str]) -> list[str]:
    return [s.strip() for s in env.get("MINI_AGENT_REDACT", "").split(",") if s.strip()]


def configured() -> Optional[Telemetry]:
    """What :func:`configure` set up, or None before it ran."""
    return _configured
