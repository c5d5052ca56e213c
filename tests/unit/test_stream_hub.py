"""StreamConnection's drain loop over a fake outbox: it ends whenever nothing it could send
exists, and bounds what it holds for a client that does not keep up."""

import asyncio

import pytest

from agentdesk.realtime.hub import SlowConsumer, StreamConnection, StreamGap


class FakeHub:
    def __init__(self, events: list[int], send_timeout: float = 1.0, max_backlog: int = 10):
        self.events = events
        self.reads = 0
        self.send_timeout = send_timeout
        self.max_backlog = max_backlog

    async def load_after(self, stream_id: int, after: int) -> list[dict]:
        self.reads += 1
        await asyncio.sleep(0)
        return [{"seq": s, "type": "T", "payload": {}} for s in self.events if s > after][:500]


def run(coro, timeout: float = 2.0):
    return asyncio.run(asyncio.wait_for(coro, timeout))


async def _collect(hub: FakeHub, last_seq: int, head: int | None = None) -> list[int]:
    sent: list[int] = []

    async def send(message: dict) -> None:
        sent.append(message["seq"])

    conn = StreamConnection(hub, 1, last_seq, send)
    task = asyncio.create_task(conn.run())
    if head is not None:
        await asyncio.sleep(0.01)
        conn.note_head(head)
    await asyncio.sleep(0.05)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return sent


def test_a_caught_up_connection_reads_the_outbox_once_per_wake_up():
    hub = FakeHub([1, 2, 3])
    assert run(_collect(hub, 0)) == [1, 2, 3]
    assert hub.reads == 1


def test_a_position_before_the_first_event_raises_a_gap_instead_of_spinning():
    """`after=-1`, or a position whose next events were pruned: the next event never comes."""
    for last_seq, events in ((-1, [1, 2, 3]), (2, [6, 7])):
        hub = FakeHub(events)

        async def send(message):
            raise AssertionError("nothing may be sent out of order")

        conn = StreamConnection(hub, 1, last_seq, send)
        with pytest.raises(StreamGap):
            run(conn.run())
        assert hub.reads == 1


def test_a_head_ahead_of_the_outbox_does_not_make_the_loop_spin():
    hub = FakeHub([1])
    assert run(_collect(hub, 0, head=5)) == [1]
    assert hub.reads <= 3  # once at start, once for the raised head, never in a loop


def test_long_replays_continue_past_one_outbox_batch():
    hub = FakeHub(list(range(1, 1201)))
    assert run(_collect(hub, 0)) == list(range(1, 1201))


def test_a_send_that_does_not_finish_in_time_drops_the_connection():
    hub = FakeHub([1, 2], send_timeout=0.05)

    async def never(message):
        await asyncio.sleep(60)

    conn = StreamConnection(hub, 1, 0, never)
    with pytest.raises(SlowConsumer):
        run(conn.run())
    assert conn.last_seq == 0  # the client resumes with after=0


def test_the_in_memory_backlog_is_bounded_and_overflow_drops_the_connection():
    hub = FakeHub([], max_backlog=10)
    blocked = asyncio.Event()

    async def stuck(message):
        blocked.set()
        await asyncio.sleep(0.3)

    async def scenario():
        conn = StreamConnection(hub, 1, 0, stuck)
        conn.offer({"seq": 1, "type": "T", "payload": {}})
        task = asyncio.create_task(conn.run())
        await blocked.wait()
        sizes = []
        for seq in range(2, 1000):
            conn.offer({"seq": seq, "type": "T", "payload": {}})
            sizes.append(conn.backlog)
        with pytest.raises(SlowConsumer):
            await task
        return sizes, conn

    sizes, conn = run(scenario())
    assert max(sizes) == 10 and conn.backlog == 0
    assert conn.last_seq == 1
