"""A local HTTP server that answers like OpenAI's chat completions API, for the OpenInference test.

The first request of a conversation gets a ``get_weather`` tool call; a request that carries the
tool's result gets the final answer. Each answer reports token usage as the API does.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def _completion(request: dict[str, Any], n: int) -> dict[str, Any]:
    has_tool_result = any(m.get("role") == "tool" for m in request.get("messages", []))
    if has_tool_result:
        message: dict[str, Any] = {"role": "assistant", "content": "It is sunny in Paris."}
        finish, usage = "stop", {"prompt_tokens": 41, "completion_tokens": 7, "total_tokens": 48}
    else:
        message = {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "call_weather_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}],
        }
        finish, usage = "tool_calls", {
            "prompt_tokens": 25,
            "completion_tokens": 12,
            "total_tokens": 37,
            "prompt_tokens_details": {"cached_tokens": 5, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 4},
        }
    return {
        "id": f"chatcmpl-local-{n}",
        "object": "chat.completion",
        "created": 1764547200,
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": usage,
    }


class FakeOpenAI:
    """Serves ``POST /v1/chat/completions`` on 127.0.0.1; ``requests`` keeps each request body."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
                if self.path != "/v1/chat/completions":
                    self._send(404, {"error": {"message": f"no route {self.path}"}})
                    return
                owner.requests.append(body)
                self._send(200, _completion(body, len(owner.requests)))

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
