"""Per-process fan-out of outbox events to connected workbenches, gap-free and in order.

A connection knows the last sequence it sent. Bus messages are buffered by sequence; when one
is missing (a doorbell lost, a Redis restart, an event committed by another process), the
connection reads the gap from the outbox. A periodic sweep compares every connected stream's
head in one query, so a lost doorbell costs latency, never an event.

Back-pressure: the buffer is only a shortcut past the outbox, so it is bounded, and so is the
time one send may take. A connection that exceeds either is dropped (`SlowConsumer`) rather
than allowed to grow the worker's memory; its client reconnects with `after` = the last
sequence it got and the outbox replays the rest.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from agentdesk.storage import outbox
from agentdesk.storage.database import Database

log = logging.getLogger(__name__)
Sender = Callable[[dict], Awaitable[None]]
REPLAY_BATCH = 500  # events read from the outbox at a time


class StreamClosed(Exception):
    """The connection cannot go on; the client must reconnect (how, depends on the subclass)."""


class SlowConsumer(StreamClosed):
    """The client reads too slowly: it resumes from the outbox with its last sequence."""


class StreamGap(StreamClosed):
    """The outbox no longer holds the next event (pruned): the client needs a new snapshot."""


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
        self._overflowed = False
        self._wake.set()

    @property
    def backlog(self) -> int:
        """Bus messages held in memory for this connection, not yet sent."""
        return len(self._buffer)

    def offer(self, message: dict) -> None:
        seq = message["seq"]
        if seq <= self.last_seq or self._overflowed:
            return
        if len(self._buffer) >= self.hub.max_backlog:
            # Free the memory now; the pump ends the connection as soon as it runs.
            self._overflowed = True
            self._buffer.clear()
        else:
            self._buffer[seq] = message
        self.head = max(self.head, seq)
        self._wake.set()

    def note_head(self, head: int) -> None:
        if head > self.head:
            self.head = head
            self._wake.set()

    async def run(self) -> None:
        """Send events in sequence order until the sender fails, the client falls behind
        (`SlowConsumer`), the outbox lost the next event (`StreamGap`) or it is cancelled."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            await self._drain()

    async def _drain(self) -> None:
        while True:
            self._check_overflow()
            message = self._buffer.pop(self.last_seq + 1, None)
            if message is not None:
                await self._deliver(message)
                continue
            batch = await self._refill()
            if not batch:
                break
            for item in batch:
                self._check_overflow()
                if item["seq"] > self.last_seq:
                    await self._deliver(item)
        for seq in [s for s in self._buffer if s <= self.last_seq]:
            del self._buffer[seq]

    async def _refill(self) -> list[dict]:
        """What follows `last_seq` in the outbox; empty when there is nothing to send.

        Every batch starts with the very next event, or the drain ends, so the loop cannot
        spin on events it would never send."""
        if self.head <= self.last_seq and not self._check_outbox:
            return []
        batch = await self.hub.load_after(self.stream_id, self.last_seq)
        # A full batch means there may be more; heads can also run ahead of what this reader
        # sees, but only until the next wake-up.
        self._check_outbox = len(batch) >= REPLAY_BATCH
        return batch

    async def _deliver(self, message: dict) -> None:
        if message["seq"] != self.last_seq + 1:
            raise StreamGap(f"events {self.last_seq + 1}..{message['seq'] - 1} are gone")
        # asyncio.timeout, not wait_for: wait_for runs the send as a task of its own (a cost per
        # frame) and on Python 3.11 can swallow a cancellation that arrives as the send ends, so
        # a closed stream's loop would go on.
        try:
            async with asyncio.timeout(self.hub.send_timeout):
                await self._send(message)
        except TimeoutError:
            raise SlowConsumer(f"a send took over {self.hub.send_timeout:g}s") from None
        self.last_seq = message["seq"]

    def _check_overflow(self) -> None:
        if self._overflowed:
            raise SlowConsumer(f"over {self.hub.max_backlog} events waiting to be sent")


class StreamHub:
    def __init__(
        self,
        db: Database,
        poll_seconds: float = 2.0,
        send_timeout: float = 10.0,
        max_backlog: int = 1000,
    ):
        self.db = db
        self.poll_seconds = poll_seconds
        self.send_timeout = send_timeout
        self.max_backlog = max_backlog
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

    def backlog(self, stream_id: int) -> int:
        """The most events any connection of this stream holds in memory, unsent."""
        return max((c.backlog for c in self._connections.get(stream_id, ())), default=0)

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
            return await outbox.events_after(session, stream_id, after_seq, REPLAY_BATCH)

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
