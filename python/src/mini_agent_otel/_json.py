"""Any Python value as storable JSON text, without ever raising.

Tool arguments and results are whatever the agent had at hand: dataclasses, pydantic models,
sets, bytes, datetimes, objects that refer to themselves, getters that throw. Telemetry must not
be why a tool call fails, so each of these becomes JSON or a visible marker; secrets are masked
and sizes bounded on the way (see :mod:`._redact`, :mod:`._limits`).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import json
import math
import re
import uuid
from collections.abc import Mapping
from decimal import Decimal
from pathlib import PurePath
from typing import Any, Optional

from ._limits import CIRCULAR, DEFAULT_LIMITS, TOO_DEEP, Limits, array_truncation_marker, cut
from ._redact import REDACTED, Redactor

# NUL (PostgreSQL text and jsonb refuse it) and surrogates (never valid alone in a Python str, and
# unencodable as UTF-8): both become U+FFFD, as @mini-agent/core does.
_NEEDS_FIX = re.compile("[\x00\ud800-\udfff]")
# A JSON key that may name a secret: only then is a JSON string parsed to look under it.
_SECRET_NAME_IN_JSON = re.compile(r'"[^"]{0,60}(?:pass|pwd|secret|key|token|auth|cookie|credential)[^"]{0,60}"\s*:', re.I)


class JsonMaker:
    """Turns values into storable JSON: masked, bounded, and never raising."""

    def __init__(self, redactor: Redactor, limits: Limits = DEFAULT_LIMITS) -> None:
        self.redactor = redactor
        self.limits = limits

    def dumps(self, value: Any, key: Optional[str] = None) -> Optional[str]:
        """JSON text of ``value``, or None for None (so the caller leaves the attribute out)."""
        if value is None:
            return None
        try:
            text = json.dumps(self.value(value, key), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        except Exception as error:  # noqa: BLE001 - whatever went wrong, the agent goes on
            return f"[unserializable: {_reason(error)}]"
        # Too long as a whole: kept as cut text rather than sent and cut again downstream.
        return cut(text, self.limits.max_string_length)

    def text(self, value: Any, key: Optional[str] = None, allowed: bool = False) -> str:
        """A storable string: fixed, cut, masked (all of it when ``key`` names a secret) unless ``allowed``."""
        if not isinstance(value, str):
            value = _str(value)
        if not allowed and key is not None and value != "" and self.redactor.is_secret_key(key):
            return REDACTED
        out = cut(value, self.limits.max_string_length)
        if _NEEDS_FIX.search(out):
            out = _NEEDS_FIX.sub("\ufffd", out)
        if allowed or (key is not None and self.redactor.is_allowed(key)):
            return out
        return self.redactor.redact_string(out)[0]

    def name(self, value: Any) -> str:
        """A storable name or id: like :meth:`text`, cut at ``max_name_length``."""
        return cut(self.text(value), self.limits.max_name_length)

    def value(self, value: Any, key: Optional[str] = None) -> Any:
        """``value`` as plain JSON-able data (dict, list, str, number, bool, None)."""
        return self._walk(value, key, 0, [], False)

    def _walk(self, value: Any, key: Optional[str], depth: int, ancestors: list[int], allowed_above: bool) -> Any:
        allowed = allowed_above or (key is not None and self.redactor.is_allowed(key))
        secret = not allowed and key is not None and self.redactor.is_secret_key(key)
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str):
            if secret and value != "":
                return REDACTED
            return self._string_value(value, key, allowed)
        if isinstance(value, (int, float)) and not isinstance(value, enum.Enum):
            if secret:
                return REDACTED
            if isinstance(value, float) and not math.isfinite(value):
                return None  # JSON has no NaN or Infinity
            return value
        if depth >= self.limits.max_depth:
            return TOO_DEEP
        if id(value) in ancestors:
            return CIRCULAR
        if secret:
            return REDACTED
        ancestors.append(id(value))
        try:
            return self._compound(value, depth, ancestors, allowed)
        except Exception:  # noqa: BLE001 - a throwing getter, __iter__ or model_dump
            return "[unserializable]"
        finally:
            ancestors.pop()

    def _compound(self, value: Any, depth: int, ancestors: list[int], allowed: bool) -> Any:
        walk = self._walk
        if isinstance(value, Mapping):
            return {self.text(k): walk(v, _str(k), depth + 1, ancestors, allowed) for k, v in value.items()}
        if isinstance(value, (list, tuple, set, frozenset)):
            items = list(value)
            limit = self.limits.max_array_length
            out = [walk(item, None, depth + 1, ancestors, allowed) for item in items[:limit]]
            if len(items) > limit:
                out.append(array_truncation_marker(len(items) - limit))
            return out
        if isinstance(value, (bytes, bytearray, memoryview)):
            return self.text(bytes(value).decode("utf-8", errors="replace"))
        if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
            return value.isoformat()
        if isinstance(value, enum.Enum):
            return walk(value.value, None, depth, ancestors, allowed)
        if isinstance(value, (Decimal, uuid.UUID, PurePath)):
            return str(value)
        if isinstance(value, BaseException):
            return {"name": type(value).__name__, "message": self.text(str(value))}
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
            return walk(fields, None, depth, ancestors, allowed)
        dump = getattr(value, "model_dump", None)  # pydantic v2 models
        if callable(dump) and not isinstance(value, type):
            return walk(dump(mode="json"), None, depth, ancestors, allowed)
        attributes = getattr(value, "__dict__", None)
        if isinstance(attributes, dict) and not isinstance(value, type):
            public = {k: v for k, v in attributes.items() if not k.startswith("_") and not callable(v)}
            return walk(public, None, depth, ancestors, allowed)
        return self.text(_str(value))

    def _string_value(self, value: str, key: Optional[str], allowed: bool) -> str:
        # JSON text with a secret-named key (a tool input passed on as a string): parse, mask under
        # that key, and keep it as JSON text, as @mini-agent/core does.
        if (
            not allowed
            and self.redactor.enabled
            and len(value) <= self.limits.max_string_length
            and value.lstrip()[:1] in ("{", "[")
            and _SECRET_NAME_IN_JSON.search(value)
        ):
            try:
                parsed = json.loads(value)
                if isinstance(parsed, (dict, list)):
                    return json.dumps(self._walk(parsed, key, 1, [], False), ensure_ascii=False, separators=(",", ":"))
            except ValueError:
                pass
        return self.text(value, allowed=allowed)


def _str(value: Any) -> str:
    try:
        return str(value)
    except Exception as error:  # noqa: BLE001
        return f"[unserializable: {_reason(error)}]"


def _reason(error: BaseException) -> str:
    try:
        return str(error) or type(error).__name__
    except Exception:  # noqa: BLE001
        return "unknown error"
