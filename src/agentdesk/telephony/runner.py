"""Background work of each process: claim due timers. Any number of processes may run it."""

import asyncio

from agentdesk.telephony.timer_handlers import register_timer_handlers
from agentdesk.telephony.timers import run_timers_forever


async def start_background(app) -> list[asyncio.Task]:
    register_timer_handlers()
    task = asyncio.create_task(
        run_timers_forever(app.state.db, app.state.settings, lambda: app.state.clock), name="timers"
    )
    return [task]
