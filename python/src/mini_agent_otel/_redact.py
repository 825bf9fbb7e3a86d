"""Secret masking, the same defaults as ``@mini-agent/core``'s ``Redactor``.

Values are masked here, in the agent's process, before any span leaves it: a Collector or bridge
on the way never sees them. The patterns are the TypeScript ones (JavaScript semantics kept:
ASCII ``\\b``/``\\w``/``\\d``, ``$`` as end of text); a test runs both on the same strings.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

_log = logging.getLogger("mini_agent_otel")

#: What a masked value or substring becomes.
REDACTED = "[REDACTED]"

_FLAGS = re.ASCII


def looks_like_credential(value: str) -> bool:
    """True for a string that looks generated rather than written (mixed digits/letters or cases, not words)."""
    if len(value) < 8:
        return False
    digit = re.search(r"\d", value, _FLAGS) is not None
    lower = re.search(r"[a-z]", value) is not None
    upper = re.search(r"[A-Z]", value) is not None
    if not (digit and (lower or upper)) and not (lower and upper and re.search(r"[a-z][A-Z]|[A-Z]{2}", value)):
        return False
    words = [w for w in re.split(r"[-_.]+", value) if w]
    return not all(re.fullmatch(r"[a-z]+\d{0,2}", w, _FLAGS) or re.fullmatch(r"[A-Z][a-z]+", w) for w in words)


_NOT_A_VALUE = frozenset(
    "string number boolean bool int integer float str bytes any unknown object null none nil undefined "
    "true false required optional redacted hidden masked".split()
)


def _looks_like_assigned_secret(groups: Sequence[Optional[str]]) -> bool:
    quote, value = groups[1], groups[2] or ""
    if quote:
        return len(value) >= 4  # a quoted literal after a secret's name is a secret
    if len(value) < 6 or value.lower() in _NOT_A_VALUE:
        return False
    # Code that reads the secret from somewhere else (`os.environ[...]`, `config.api_key`, `${TOKEN}`).
    if re.match(r"(?:process\.env|os\.environ|env\.|\$|\{\{|%)", value, re.I):
        return False
    return re.fullmatch(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+", value, _FLAGS) is None


_SECRET_NAMES = (
    r"(?:api[_-]?key|apikey|password|passwd|pwd|secret|secret[_-]?(?:access[_-]?)?key|private[_-]?key|"
    r"client[_-]?secret|(?:access|auth|refresh|session|bearer|id)[_-]?token|token)"
)


@dataclass(frozen=True)
class SecretPattern:
    """One secret shape: a name, the pattern, and how a match is masked."""

    name: str
    pattern: "re.Pattern[str]"
    #: Keep the first group (e.g. ``Bearer ``) and mask the rest of the match.
    keep_prefix_group: bool = False
    #: Lower-case substrings one of which every match contains (a cheap pre-check).
    candidates: tuple[str, ...] = ()
    #: A second look at a match's groups; masked only when it returns True.
    accept: Optional[Callable[[Sequence[Optional[str]]], bool]] = None


def _p(source: str, flags: int = 0) -> "re.Pattern[str]":
    return re.compile(source, _FLAGS | flags)


#: The default secret shapes, in the order ``@mini-agent/core`` applies them.
DEFAULT_SECRET_PATTERNS: tuple[SecretPattern, ...] = (
    SecretPattern("private_key", _p(r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|\Z)"), candidates=("-----begin",)),
    SecretPattern("langfuse_key", _p(r"\b[sp]k-lf-[A-Za-z0-9-]{8,}"), candidates=("k-lf-",)),
    SecretPattern("anthropic_key", _p(r"\bsk-ant-[A-Za-z0-9_-]{16,}"), candidates=("sk-ant-",)),
    SecretPattern(
        "openai_key",
        _p(r"\bsk-(?:proj-|svcacct-|admin-|or-v1-)?([A-Za-z0-9_-]{20,})"),
        candidates=("sk-",),
        accept=lambda g: looks_like_credential(g[0] or ""),
    ),
    SecretPattern("stripe_key", _p(r"\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}"), candidates=("k_live_", "k_test_")),
    SecretPattern("supabase_token", _p(r"\bsb(?:p|_secret|_publishable)_[A-Za-z0-9_-]{20,}"), candidates=("sbp_", "sb_secret_", "sb_publishable_")),
    SecretPattern("jwt", _p(r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}"), candidates=("eyj",)),
    SecretPattern("aws_access_key", _p(r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b"), candidates=("akia", "asia", "abia", "acca")),
    SecretPattern(
        "github_token",
        _p(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})"),
        candidates=("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    ),
    SecretPattern("slack_token", _p(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), candidates=("xox",)),
    SecretPattern("google_api_key", _p(r"\bAIza[0-9A-Za-z_-]{35}"), candidates=("aiza",)),
    SecretPattern(
        "auth_header",
        _p(r"\b((?:Bearer|Basic|Token)\s+)([A-Za-z0-9._~+/-]{8,}=*)", re.I),
        keep_prefix_group=True,
        candidates=("bearer", "basic", "token"),
        accept=lambda g: looks_like_credential(g[1] or ""),
    ),
    SecretPattern(
        "secret_assignment",
        # A quote may come escaped (`\"`): the text is often JSON inside JSON.
        _p(r"\b((?:[A-Za-z0-9]+[_-])*" + _SECRET_NAMES + r"\\?[\"']?\s*[:=]\s*(\\?[\"']?))([^\s\"'&,;{}()\[\]<>\\]{4,})(?![(\w.])", re.I),
        keep_prefix_group=True,
        candidates=("key", "pass", "pwd", "secret", "token"),
        accept=_looks_like_assigned_secret,
    ),
)

# Field names whose whole value is a secret, on the last segment of the name (`db.password`, `OPENAI_API_KEY`).
_SECRET_KEY = re.compile(
    r"(?:^|[._-])(?:" + _SECRET_NAMES + r"|authorization|proxy-authorization|cookie|set-cookie|x-api-key|credentials?)\Z",
    re.I | _FLAGS,
)
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_DEFAULT_CANDIDATES = tuple(sorted({c for p in DEFAULT_SECRET_PATTERNS for c in p.candidates}))


class Redactor:
    """Masks secrets in strings and in values whose key names a secret.

    ``extra_patterns`` adds regular expressions (``MINI_AGENT_REDACT`` holds comma-separated ones);
    ``allow_keys`` names fields never masked; ``enabled=False`` turns masking off.
    """

    def __init__(self, *, enabled: bool = True, extra_patterns: Sequence[str] = (), allow_keys: Sequence[str] = ()) -> None:
        self.enabled = enabled
        self.allow_keys = frozenset(allow_keys)
        extra: list[SecretPattern] = []
        for i, source in enumerate(extra_patterns):
            try:
                extra.append(SecretPattern(f"custom_{i}", re.compile(source)))
            except re.error as error:
                _log.warning("mini_agent_otel: ignoring the redaction pattern %r: %s", source, error)
        self.patterns = DEFAULT_SECRET_PATTERNS + tuple(extra)
        self._has_custom = bool(extra)
        self._secret_keys: dict[str, bool] = {}

    @classmethod
    def from_env(cls, environ: Optional[dict[str, str]] = None, **options: object) -> "Redactor":
        """A redactor with the extra patterns of ``MINI_AGENT_REDACT`` (comma-separated)."""
        env = os.environ if environ is None else environ
        extra = [s.strip() for s in env.get("MINI_AGENT_REDACT", "").split(",") if s.strip()]
        return cls(extra_patterns=extra, **options)  # type: ignore[arg-type]

    def is_allowed(self, key: str) -> bool:
        """True when values under ``key`` are never masked."""
        return key in self.allow_keys

    def is_secret_key(self, key: str) -> bool:
        """True when the whole value under ``key`` is a secret (``password``, ``clientSecret``, ``x-api-key``)."""
        if not self.enabled or key in self.allow_keys:
            return False
        secret = self._secret_keys.get(key)
        if secret is None:
            secret = bool(_SECRET_KEY.search(key) or _SECRET_KEY.search(_CAMEL.sub(r"\1_\2", key)))
            if len(self._secret_keys) < 10_000:
                self._secret_keys[key] = secret
        return secret

    def redact_string(self, value: str) -> tuple[str, int]:
        """Masks every secret-shaped substring; returns the text and how many were masked."""
        if not self.enabled:
            return value, 0
        if not self._has_custom:
            lowered = value.lower()
            if not any(c in lowered for c in _DEFAULT_CANDIDATES):
                return value, 0
        count = 0
        out = value
        for secret in self.patterns:
            if not secret.pattern.search(out):
                continue

            def replace(match: "re.Match[str]", secret: SecretPattern = secret) -> str:
                nonlocal count
                groups = match.groups()
                if secret.accept is not None and not secret.accept(groups):
                    return match.group(0)
                count += 1
                prefix = groups[0] if groups else None
                return f"{prefix}{REDACTED}" if secret.keep_prefix_group and prefix is not None else REDACTED

            out = secret.pattern.sub(replace, out)
        return out, count
