"""The application's resources as FastAPI dependencies, so routes never reach into
`request.app.state` themselves.

`create_app` builds every resource once, in its lifespan (settings, clock, key ring,
database, bus, job runner), and stops them on shutdown; these providers only hand them out.
A route says what it needs in its signature:

    async def handler(db: Db, clock: AppClock, settings: AppSettings): ...

(The principal aliases — `TenantAdmin`, `OpsAdmin`, `CurrentAgent`, … — live in
`auth.deps`, next to the checks they run.)
"""

from typing import Annotated

from fastapi import Depends
from starlette.requests import HTTPConnection

from agentdesk.config import Settings
from agentdesk.jobs.runner import JobRunner
from agentdesk.kit.clock import Clock
from agentdesk.kit.crypto import KeyRing
from agentdesk.realtime.bus import Bus
from agentdesk.realtime.hub import StreamHub
from agentdesk.storage.database import Database


def database_of(connection: HTTPConnection) -> Database:
    return connection.app.state.db


def clock_of(connection: HTTPConnection) -> Clock:
    # Read per request, not captured: tests swap in a FakeClock on a running server.
    return connection.app.state.clock


def settings_of(connection: HTTPConnection) -> Settings:
    return connection.app.state.settings


def keys_of(connection: HTTPConnection) -> KeyRing:
    """The application's one key ring (base tables, interface headers)."""
    return connection.app.state.keys


def jobs_of(connection: HTTPConnection) -> JobRunner:
    return connection.app.state.jobs


def bus_of(connection: HTTPConnection) -> Bus:
    return connection.app.state.bus


def hub_of(connection: HTTPConnection) -> StreamHub:
    return connection.app.state.hub


Db = Annotated[Database, Depends(database_of)]
AppClock = Annotated[Clock, Depends(clock_of)]
AppSettings = Annotated[Settings, Depends(settings_of)]
AppKeys = Annotated[KeyRing, Depends(keys_of)]
AppJobs = Annotated[JobRunner, Depends(jobs_of)]
AppBus = Annotated[Bus, Depends(bus_of)]
AppHub = Annotated[StreamHub, Depends(hub_of)]
