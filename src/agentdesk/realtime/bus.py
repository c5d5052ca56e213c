"""Doorbells between processes. memory:// for one process, redis:// for several.

Pub/sub delivers at most once, so the bus is only a doorbell: the outbox in the database is the
replay log. Subscribers get ("event", message) for each published event and ("resync", None)
whenever delivery may have had a gap (e.g. after a Redis reconnect), upon which they re-read
the outbox.
"""

import asyncio
import json
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

log = logging.getLogger(__name__)
Listener = Callable[[str, dict | None], Awaitable[None]]
CHANNEL = "agentdesk:events"


class Bus(ABC):
    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    async def _dispatch(self, kind: str, message: dict | None) -> None:
        for listener in list(self._listeners):
            try:
                await listener(kind, message)
            except Exception:  # one broken listener must not starve the others
                log.exception("bus listener failed")

    async def start(self) -> None:  # noqa: B027 - only network buses need starting
        """Connect, where there is something to connect to."""

    async def stop(self) -> None:  # noqa: B027
        """Disconnect."""

    async def ping(self) -> bool:
        """Whether the bus can carry a doorbell now (readiness)."""
        return True

    @abstractmethod
    async def publish(self, messages: list[dict]) -> None:
        """Ring the doorbell for each message, to every process."""


class MemoryBus(Bus):
    async def publish(self, messages: list[dict]) -> None:
        for message in messages:
            await self._dispatch("event", message)


def split_channel(url: str) -> tuple[str, str]:
    """`redis://host/0?channel=name` → (`redis://host/0`, `name`); deployments sharing one
    Redis keep apart by channel."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    channel = next((v for k, v in query if k == "channel"), CHANNEL)
    rest = urlencode([(k, v) for k, v in query if k != "channel"])
    return urlunsplit(parts._replace(query=rest)), channel


class RedisBus(Bus):
    def __init__(self, url: str) -> None:
        super().__init__()
        self.url, self.channel = split_channel(url)
        self._redis = None
        self._task: asyncio.Task | None = None
        self.connected = asyncio.Event()

    async def start(self) -> None:
        import redis.asyncio as aioredis

        self._redis = aioredis.from_url(self.url, socket_timeout=5, socket_connect_timeout=3)
        self._task = asyncio.create_task(self._listen_forever(), name="redis-bus")
        try:
            await asyncio.wait_for(self.connected.wait(), timeout=5)
        except TimeoutError:
            log.warning("Redis at %s not reachable yet; will keep trying", self.url)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._redis is not None:
            await self._redis.aclose()

    async def ping(self) -> bool:
        if self._redis is None or not self.connected.is_set():
            return False
        try:
            return bool(await asyncio.wait_for(self._redis.ping(), timeout=2))
        except Exception:
            return False

    async def publish(self, messages: list[dict]) -> None:
        if not self.connected.is_set():
            # Redis is down: don't make every transaction wait for a connect time-out. The
            # events are in the outbox; every process's sweep picks them up.
            return
        try:
            pipe = self._redis.pipeline(transaction=False)
            for message in messages:
                pipe.publish(self.channel, json.dumps(message, separators=(",", ":")))
            await pipe.execute()
        except Exception as exc:  # the outbox keeps the events; streams will poll them
            log.warning("Redis publish failed (%s); subscribers will catch up from the outbox", exc)

    async def _listen_forever(self) -> None:
        backoff = 0.2
        while True:
            try:
                await self._listen_once()
                backoff = 0.2
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.connected.clear()
                log.warning("Redis subscription lost (%s); reconnecting", exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def _listen_once(self) -> None:
        pubsub = self._redis.pubsub()
        try:
            await pubsub.subscribe(self.channel)
            self.connected.set()
            # Anything published while we were not subscribed is only in the outbox.
            await self._dispatch("resync", None)
            while True:
                item = await pubsub.get_message(ignore_subscribe_messages=True, timeout=30)
                if item and item.get("type") == "message":
                    await self._dispatch("event", json.loads(item["data"]))
                elif item is None:
                    await pubsub.ping()
        finally:
            await pubsub.aclose()


def make_bus(url: str) -> Bus:
    if url.startswith("memory://"):
        return MemoryBus()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisBus(url)
    raise ValueError(f"unsupported bus URL {url!r}: use memory:// or redis://")
