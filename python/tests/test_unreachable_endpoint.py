"""With the endpoint down, the agent runs on, its results unchanged, and the loss is logged once and counted."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

from conftest import AGENTS, REPO_ROOT


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_agent_keeps_running_and_the_loss_is_logged_once() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "MINI_AGENT_"))}
    env.update(OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{closed_port()}", OTEL_EXPORTER_OTLP_TIMEOUT="1")
    done = subprocess.run([sys.executable, str(AGENTS / "unreachable.py")], env=env, capture_output=True, text=True, timeout=120, cwd=REPO_ROOT)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["results"] == [1, 2, 3]
    # Three sessions of two spans each, every one lost and counted.
    assert report["stats"]["exported"] == 0 and report["stats"]["dropped"] == 6 and report["stats"]["failed_exports"] == 3
    losses = [line for line in done.stderr.splitlines() if "could not deliver" in line]
    assert len(losses) == 1, done.stderr
    assert "/v1/traces" in losses[0] and "further losses are counted" in losses[0]
    # Nothing else: the OTLP exporter's own per-batch errors are not repeated for each batch.
    assert [line for line in done.stderr.splitlines() if line.strip()] == losses, done.stderr
