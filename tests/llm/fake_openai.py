"""A real OpenAI-compatible HTTP server on 127.0.0.1 for the tests: it records every request
and answers from a script (recorded answers, malformed answers, 429 with Retry-After, 5xx,
answers that never come in time). Nothing here touches the network."""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["COMPLETION_TOKENS", "PROMPT_TOKENS", "FakeOpenAI", "Step", "customer_text"]

# Every answer reports these token counts, so a test can compute the cost by hand.
PROMPT_TOKENS = 120
COMPLETION_TOKENS = 30
_QUOTED = re.compile(r'"""\n(.*?)\n"""', re.DOTALL)


def customer_text(body: dict[str, Any]) -> str:
    """The text between the triple quotes of the request's user message."""
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    found = _QUOTED.search(user)
    return found.group(1) if found else user


@dataclass
class Step:
    """One scripted answer: ``status`` and ``headers``; ``content`` (the model's text) or
    ``body`` (the raw HTTP body); ``hang`` holds the answer until the test releases it."""

    status: int = 200
    content: str | None = None
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False


class FakeOpenAI:
    """``with FakeOpenAI() as server:`` — ``server.url`` is the base URL (``…/v1``)."""

    def __init__(self, answer: Callable[[dict[str, Any]], str] | None = None) -> None:
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.script: deque[Step] = deque()
        self.answer = answer or (lambda body: "{}")
        self.release = threading.Event()
        self.in_flight = 0
        self.gate: threading.Barrier | None = None
        self.most_in_flight = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with server._lock:
                    server.requests.append(body)
                    server.headers.append(dict(self.headers))
                    step = server.script.popleft() if server.script else Step()
                    server.in_flight += 1
                    server.most_in_flight = max(server.most_in_flight, server.in_flight)
                try:
                    self._answer(body, step)
                finally:
                    with server._lock:
                        server.in_flight -= 1

            def _answer(self, body: dict[str, Any], step: Step) -> None:
                if self.path != "/v1/chat/completions":
                    step = Step(status=404, body='{"error": "not found"}')
                if step.hang:
                    server.release.wait(10)
                    return
                if step.content is None and step.body is None and server.gate is not None:
                    server.gate.wait()  # hold every answer until enough are in flight
                if step.body is None:
                    content = step.content if step.content is not None else server.answer(body)
                    step.body = json.dumps(
                        {
                            "id": "chatcmpl-test",
                            "object": "chat.completion",
                            "model": body.get("model"),
                            "choices": [
                                {
                                    "index": 0,
                                    "message": {"role": "assistant", "content": content},
                                    "finish_reason": "stop",
                                }
                            ],
                            "usage": {
                                "prompt_tokens": PROMPT_TOKENS,
                                "completion_tokens": COMPLETION_TOKENS,
                                "total_tokens": PROMPT_TOKENS + COMPLETION_TOKENS,
                            },
                        },
                        ensure_ascii=False,
                    )
                data = step.body.encode("utf-8")
                try:
                    self.send_response(step.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in step.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    def then(self, *steps: Step) -> FakeOpenAI:
        with self._lock:
            self.script.extend(steps)
        return self

    def sent_texts(self) -> list[str]:
        """Every message content the server received, in order."""
        return [m["content"] for body in self.requests for m in body.get("messages", [])]
