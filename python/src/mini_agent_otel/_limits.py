"""Size limits, the same defaults as ``@mini-agent/core``'s ``DEFAULT_LIMITS``.

Applied in the client so what leaves the process is already what gets stored: a value cut here
carries one marker with its original length, and fits under the limit with it, so the bridge
has nothing left to cut. Lengths are counted in characters (code points; the TypeScript side
counts UTF-16 units, the same for text outside the astral planes).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """How big a value may get before it is cut, with a visible marker."""

    #: Longest string kept (1 MiB).
    max_string_length: int = 1024 * 1024
    #: Deepest nesting kept in objects and lists.
    max_depth: int = 32
    #: Most items kept of one list; the rest become one marker item.
    max_array_length: int = 10_000
    #: Longest name or id kept (tool, model, session, metric type, span name).
    max_name_length: int = 512


DEFAULT_LIMITS = Limits()

#: What a value nested deeper than the limit becomes.
TOO_DEEP = "[too deep]"
#: What a reference back to an object being serialized becomes (as the TypeScript helpers write it).
CIRCULAR = "[Circular]"


def truncation_marker(original_length: int) -> str:
    """The note that replaces what was cut, as ``@mini-agent/core`` writes it."""
    return f"…[truncated by mini-agent: {original_length} chars]"


def array_truncation_marker(omitted: int) -> str:
    """The last item of a list cut at ``max_array_length``."""
    return f"…[{omitted} more items truncated by mini-agent]"


def cut(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit``, else its start plus a marker, the two together within ``limit``."""
    if len(text) <= limit:
        return text
    marker = truncation_marker(len(text))
    return text[: max(limit - len(marker), 0)] + marker
