"""What every helper reads: the tracer to start spans with, and how values are made JSON."""

from __future__ import annotations

from opentelemetry import trace

from ._json import JsonMaker
from ._limits import DEFAULT_LIMITS
from ._redact import Redactor
from .version import SCOPE_NAME, __version__

#: How values become JSON. Replaced by :func:`mini_agent_otel.configure` (redaction options).
json_maker = JsonMaker(Redactor.from_env(), DEFAULT_LIMITS)


def set_json_maker(maker: JsonMaker) -> None:
    """Replaces the redaction and limits every helper applies from now on."""
    global json_maker
    json_maker = maker


def tracer() -> trace.Tracer:
    """The helpers' tracer, looked up each time so it follows whatever provider is global now."""
    return trace.get_tracer(SCOPE_NAME, __version__)
