"""Background work of each process: claim due timers. Any number of processes may run it."""

import asyncio


async def start_background(app) -> list[asyncio.Task]:
    from agentdesk.telephony.timers import run_timers_forever

    task = asyncio.create_task(
        run_timers_forever(app.state.db, app.state.settings, lambda: app.state.clock), name="timers"
    )
    return [task]
