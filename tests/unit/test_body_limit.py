"""The request-body cap (issue 8, item 10) refuses before the application reads past it."""

import asyncio
import json

from agentdesk.config import DEFAULT_MAX_BODY_BYTES, Settings
from agentdesk.kit.bodylimit import BodyLimit


class Reader:
    """An application that reads the whole body, as a form parser would, then answers 200."""

    def __init__(self):
        self.read = 0
        self.called = False

    async def __call__(self, scope, receive, send):
        self.called = True
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                await send({"type": "http.response.start", "status": 400, "headers": []})
                await send({"type": "http.response.body", "body": b"client went away"})
                return
            self.read += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def call(limit: int, chunks: list[bytes], headers=()) -> tuple[Reader, list[dict], int]:
    app, sent = Reader(), []
    pending = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
        for i, c in enumerate(chunks)
    ]
    pulled = 0

    async def receive():
        nonlocal pulled
        pulled += 1
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "headers": list(headers)}
    asyncio.run(BodyLimit(app, max_bytes=limit)(scope, receive, send))
    return app, sent, pulled


def answer(sent: list[dict]) -> tuple[int, dict | bytes]:
    status = sent[0]["status"]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return status, json.loads(body) if status == 413 else body


def test_a_declared_length_over_the_limit_is_refused_unread():
    app, sent, pulled = call(100, [b"x" * 1000], headers=[(b"content-length", b"104857600")])
    status, body = answer(sent)
    assert status == 413 and not app.called and pulled == 0
    assert body["errors"] == [
        {
            "field": "body",
            "rule": "too_large",
            "message": "the request body is larger than 100 bytes",
        }
    ]


def test_a_chunked_body_stops_being_read_past_the_limit():
    app, sent, pulled = call(100, [b"x" * 60] * 50)
    status, body = answer(sent)
    assert status == 413 and body["code"] == "too_large"
    assert app.read == 60  # the chunk that crossed the limit never reached the application
    assert pulled == 2  # and nothing after it was pulled from the server


def test_a_body_within_the_limit_passes():
    app, sent, _ = call(100, [b"x" * 50, b"y" * 50], headers=[(b"content-length", b"100")])
    assert answer(sent) == (200, b"ok") and app.read == 100


def test_the_limit_is_a_setting():
    env = {"AGENTDESK_SECRET_KEY": "k" * 40, "AGENTDESK_SIM_TOKEN": "t" * 20}
    assert Settings.from_env(env).max_body_bytes == DEFAULT_MAX_BODY_BYTES
    env["AGENTDESK_MAX_BODY_BYTES"] = "4096"
    assert Settings.from_env(env).max_body_bytes == 4096
