"""Secrets are masked in the client, exactly as ``@mini-agent/core`` masks them (its default patterns and key names)."""

from __future__ import annotations

import base64
import json
import random
import shutil
import string
import subprocess
from typing import Any

import pytest

from conftest import REPO_ROOT
from mini_agent_otel._json import JsonMaker
from mini_agent_otel._redact import REDACTED, Redactor

rng = random.Random(7)
B62 = string.ascii_letters + string.digits
pick = lambda alphabet, n: "".join(rng.choice(alphabet) for _ in range(n))  # noqa: E731
b64 = lambda text: base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")  # noqa: E731

SECRETS = [
    f"sk-{pick(B62, 48)}",
    f"sk-proj-{pick(B62 + '-_', 120)}",
    f"sk-ant-api03-{pick(B62 + '-_', 93)}AA",
    "sk-lf-1c2d3e4f-5a6b-7c8d-9e0f-a1b2c3d4e5f6",
    "pk-lf-1c2d3e4f-5a6b-7c8d-9e0f-a1b2c3d4e5f6",
    f"sbp_{pick('0123456789abcdef', 40)}",
    f"sb_secret_{pick(B62 + '-_', 31)}",
    ".".join([b64(json.dumps({"alg": "HS256", "typ": "JWT"})), b64(json.dumps({"role": "service_role", "iat": 1700000000})), pick(B62 + "-_", 43)]),
    f"AKIA{pick(string.ascii_uppercase + '234567', 16)}",
    f"AWS_SECRET_ACCESS_KEY={pick(B62 + '/+', 40)}",
    f"ghp_{pick(B62, 36)}",
    f"github_pat_{pick(B62, 22)}_{pick(B62, 59)}",
    f"xoxb-{pick(string.digits, 12)}-{pick(string.digits, 13)}-{pick(B62, 24)}",
    f"AIza{pick(B62 + '-_', 35)}",
    f"sk_live_{pick(B62, 24)}",
    f"Authorization: Bearer {pick(B62, 40)}",
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
    'password: "hunter22"',
    '{\\"api_key\\": \\"abcd1234efgh\\"}',
    "client_secret=Zx81kdPq01LmN",
]
ORDINARY = [
    "/home/user/projects/learn-model-config-v2/README.md",
    "token = os.environ['OPENAI_API_KEY']",
    "password: string",
    "the basic idea is simple",
    "sk-learning-rate-schedule-for-the-model",
    "550e8400-e29b-41d4-a716-446655440000",
    "max_tokens=512 and input_tokens=3",
    "def get_token(self): return self._token",
    "Bearer of bad news",
]
KEYS = ["password", "api_key", "apiKey", "clientSecret", "OPENAI_API_KEY", "http.request.header.authorization", "x-api-key",
        "set-cookie", "db.password", "max_tokens", "input_tokens", "path", "tokenizer", "credentials", "session_token", "secretary"]


@pytest.fixture(scope="module")
def core() -> Any:
    node = shutil.which("node")
    if node is None or not (REPO_ROOT / "packages/core/dist/index.js").exists():
        pytest.skip("node or the built @mini-agent/core is missing: run `pnpm build`")
    requests = [{"text": s} for s in SECRETS + ORDINARY] + [{"key": k} for k in KEYS]
    done = subprocess.run([node, "python/tests/support/redact.mjs"], input="".join(json.dumps(r) + "\n" for r in requests),
                          capture_output=True, text=True, cwd=REPO_ROOT, check=True, timeout=60)
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    return dict(zip([json.dumps(r) for r in requests], answers))


def test_every_secret_is_masked_the_same_way(core: Any) -> None:
    redactor = Redactor()
    for text in SECRETS:
        expected = core[json.dumps({"text": text})]
        value, count = redactor.redact_string(text)
        assert (value, count) == (expected["value"], expected["count"]), text
        assert REDACTED in value


def test_ordinary_text_is_left_alone_by_both(core: Any) -> None:
    redactor = Redactor()
    for text in ORDINARY:
        assert core[json.dumps({"text": text})] == {"value": text, "count": 0}
        assert redactor.redact_string(text) == (text, 0)


def test_field_names_that_hold_secrets_are_the_same(core: Any) -> None:
    redactor = Redactor()
    for key in KEYS:
        assert redactor.is_secret_key(key) is core[json.dumps({"key": key})]["secret"], key


def test_values_under_secret_keys_are_masked_at_any_depth_and_extra_patterns_apply() -> None:
    maker = JsonMaker(Redactor(extra_patterns=[r"ACME-\d{6}"]))
    text = maker.dumps({"db": {"password": "p4ss-w0rd"}, "note": "ticket ACME-123456", "tokens": 3})
    assert json.loads(text) == {"db": {"password": REDACTED}, "note": f"ticket {REDACTED}", "tokens": 3}
    assert JsonMaker(Redactor(enabled=False)).dumps({"password": "p"}) == '{"password":"p"}'
