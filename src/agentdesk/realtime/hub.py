"""Per-process fan-out of outbox events to connected workbenches, gap-free and in order.

A connection knows the last sequence it sent. Bus messages are buffered by sequence; when one
is missing (a doorbell lost, a Redis restart, an event committed by another process), the
connection reads the gap from the outbox. A periodic sweep compares every connected stream's
head in one query, so a lost doorbell costs latency, never an event.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from agentdesk.storage import outbox
from agentdesk.storage.database import Database

log = logging.getLogger(__name__)
Sender = Callable[[dict], Awaitable[None]]


class StreamConnection:
    def __init__(self, hub: "StreamHub", stream_id: int, last_seq: int, send: Sender):
        self.hub = hub
        self.stream_id = stream_id
        self.last_seq = last_seq
        self.head = last_seq
        self._send = send
        self._buffer: dict[int, dict] = {}
        self._wake = asyncio.Event()
        self._check_outbox = True  # first pass replays whatever was missed before connecting
        self._wake.set()

    def offer(self, message: dict) -> None:
        seq = message["seq"]
        if seq <= self.last_seq:
            return
        self._buffer[seq] = message
        self.head = max(self.head, seq)
        self._wake.set()

    def note_head(self, head: int) -> None:
        if head > self.head:
            self.head = head
            self._wake.set()

    async def run(self) -> None:
        """Send events in sequence order until the connection's sender fails or is cancelled."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            await self._drain()

    async def _drain(self) -> None:
        while True:
            message = self._buffer.pop(self.last_seq + 1, None)
            if message is None:
                if self.head <= self.last_seq and not self._check_outbox:
                    break
                self._check_outbox = False
                missing = await self.hub.load_after(self.stream_id, self.last_seq)
                if not missing:
                    break
                for item in missing:
                    self._buffer.setdefault(item["seq"], item)
                continue
            await self._send(message)
            self.last_seq = message["seq"]
        for seq in [s for s in self._buffer if s <= self.last_seq]:
            del self._buffer[seq]


class StreamHub:
    def __init__(self, db: Database, poll_seconds: float = 2.0):
        self.db = db
        self.poll_seconds = poll_seconds
        self._connections: dict[int, set[StreamConnection]] = {}
        self._sweeper: asyncio.Task | None = None

    async def start(self) -> None:
        self._sweeper = asyncio.create_task(self._sweep_forever(), name="stream-sweeper")

    async def stop(self) -> None:
        if self._sweeper:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)

    def connect(self, stream_id: int, last_seq: int, send: Sender) -> StreamConnection:
        conn = StreamConnection(self, stream_id, last_seq, send)
        self._connections.setdefault(stream_id, set()).add(conn)
        return conn

    def disconnect(self, conn: StreamConnection) -> None:
        conns = self._connections.get(conn.stream_id)
        if conns:
            conns.discard(conn)
            if not conns:
                del self._connections[conn.stream_id]

    @property
    def connection_count(self) -> int:
        return sum(len(c) for c in self._connections.values())

    @property
    def pending_count(self) -> int:
        """Events known to be committed but not yet sent, over all connections (a metric)."""
        return sum(max(0, c.head - c.last_seq) for cs in self._connections.values() for c in cs)

    async def on_bus(self, kind: str, message: dict | None) -> None:
        if kind == "resync":
            await self.sweep()
            return
        for conn in self._connections.get(message["stream"], ()):
            conn.offer(message)

    async def load_after(self, stream_id: int, after_seq: int) -> list[dict]:
        async with self.db.reader() as session:
            return await outbox.events_after(session, stream_id, after_seq)

    async def sweep(self) -> None:
        stream_ids = list(self._connections)
        if not stream_ids:
            return
        async with self.db.reader() as session:
            heads = await outbox.stream_heads(session, stream_ids)
        for stream_id, head in heads.items():
            for conn in self._connections.get(stream_id, ()):
                conn.note_head(head)

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.poll_seconds)
            try:
                await self.sweep()
            except Exception:
                log.exception("stream sweep failed")
