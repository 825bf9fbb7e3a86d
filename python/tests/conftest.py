"""Fixtures with real parts: PostgreSQL and ``mini-agent-otel serve``, built from this workspace.

Agents run as their own Python processes (``python -m ...`` or a script) exporting over OTLP to
the bridge, exactly as a user's agent would; rows are read back from PostgreSQL through the
stack helper (``support/stack.mjs``), so the suite needs no PostgreSQL driver of its own.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
AGENTS = Path(__file__).resolve().parent / "agents"


class Stack:
    """The running bridge and its database."""

    def __init__(self, process: subprocess.Popen[str], info: dict[str, str]) -> None:
        self._process = process
        self.traces_url: str = info["tracesUrl"]
        self.database_url: str = info["databaseUrl"]
        self.token: str = info["token"]

    def query(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        """Rows of one SQL statement on the bridge's database."""
        assert self._process.stdin and self._process.stdout
        self._process.stdin.write(json.dumps({"sql": sql, "params": list(params)}) + "\n")
        self._process.stdin.flush()
        answer = json.loads(self._process.stdout.readline())
        if "error" in answer:
            raise AssertionError(f"query failed: {answer['error']}\n{sql}")
        return answer["rows"]

    def wait_for(self, sql: str, *params: Any, count: int = 1, timeout: float = 20.0) -> list[dict[str, Any]]:
        """The rows of ``sql`` once there are at least ``count`` (the bridge stores asynchronously)."""
        deadline = time.monotonic() + timeout
        while True:
            rows = self.query(sql, *params)
            if len(rows) >= count or time.monotonic() > deadline:
                return rows
            time.sleep(0.1)

    def agent_env(self, **extra: str) -> dict[str, str]:
        """The environment of an agent process pointed at the bridge, with nothing else inherited that would redirect it."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "LANGFUSE_", "MINI_AGENT_"))}
        env.update(
            OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=self.traces_url,
            MINI_AGENT_BRIDGE_TOKEN=self.token,
            PYTHONUNBUFFERED="1",
        )
        env.update(extra)
        return env

    def close(self) -> None:
        if self._process.stdin:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    """PostgreSQL and the bridge for the whole run; skipped, saying why, when they cannot start."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the bridge cannot run")
    for built in ("packages/cli/dist/bin.js", "packages/test-support/dist/index.js"):
        if not (REPO_ROOT / built).exists():
            pytest.skip(f"{built} is missing: run `pnpm build` first")
    process = subprocess.Popen(
        [node, str(Path(__file__).parent / "support" / "stack.mjs")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
    )
    assert process.stdout
    line = process.stdout.readline()
    if not line:
        pytest.fail(f"the stack helper exited (code {process.wait()}) before it was ready")
    info = json.loads(line)
    if "skip" in info:
        process.wait()
        pytest.skip(info["skip"])
    running = Stack(process, info)
    yield running
    running.close()


@pytest.fixture
def run_agent(stack: Stack) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Runs an agent script of ``tests/agents`` (or any path) with this venv's Python, pointed at the bridge."""

    def run(script: str | Path, *args: str, env: Optional[dict[str, str]] = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        path = Path(script) if os.path.isabs(script) else AGENTS / script
        result = subprocess.run(
            [sys.executable, str(path), *args],
            env=env if env is not None else stack.agent_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=REPO_ROOT,
        )
        if result.returncode != 0:
            raise AssertionError(f"{path.name} exited {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}")
        return result

    return run
