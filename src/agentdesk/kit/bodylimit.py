"""A cap on request bodies, applied before anything parses them (plain ASGI middleware).

Without it a multipart upload is spooled whole (to memory, then a temporary file) before the
route can look at its size, so a 100 MB upload costs 100 MB of disk and time before the
20 MB check refuses it. Here a declared `Content-Length` over the limit is refused at once
with 413, the body unread; a chunked body is counted as it arrives and, past the limit, the
application is told the client went away (so nothing reads further) and its answer is replaced
by the same 413.
"""

import json

MESSAGE = "the request body is larger than {limit} bytes"


def _too_large_body(limit: int) -> bytes:
    message = MESSAGE.format(limit=limit)
    error = {"field": "body", "rule": "too_large", "message": message}
    return json.dumps({"detail": message, "code": "too_large", "errors": [error]}).encode()


def _declared_length(scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


async def _send_too_large(send, limit: int) -> None:
    body = _too_large_body(limit)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Refuse (413) request bodies over `max_bytes`, declared or streamed."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > self.max_bytes:
            await _send_too_large(send, self.max_bytes)
            return
        await _CountedRequest(self.app, self.max_bytes, receive, send).run(scope)


class _CountedRequest:
    """One request whose body is counted; past the limit the app's answer is replaced."""

    def __init__(self, app, max_bytes: int, receive, send):
        self.app, self.max_bytes = app, max_bytes
        self.receive, self.send = receive, send
        self.received = 0
        self.exceeded = False
        self.started = False  # whether a response start went out

    async def run(self, scope) -> None:
        await self.app(scope, self.counted_receive, self.guarded_send)
        if self.exceeded and not self.started:
            self.started = True
            await _send_too_large(self.send, self.max_bytes)

    async def counted_receive(self):
        if self.exceeded:
            return {"type": "http.disconnect"}
        message = await self.receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.max_bytes:
                self.exceeded = True
                return {"type": "http.disconnect"}
        return message

    async def guarded_send(self, message) -> None:
        if self.exceeded and not self.started:
            return  # the app's answer to a "disconnect" it did not cause: 413 instead
        if message["type"] == "http.response.start":
            self.started = True
        await self.send(message)
