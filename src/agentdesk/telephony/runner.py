"""Background work of each process: claim due timers and pending IVR interface steps. Any
number of processes may run it."""

import asyncio

from agentdesk.telephony.flows.interface_step import InterfaceSteps
from agentdesk.telephony.flows.runtime import register_flows
from agentdesk.telephony.timer_handlers import register_timer_handlers
from agentdesk.telephony.timers import run_timers_forever


async def start_background(app) -> list[asyncio.Task]:
    register_timer_handlers()
    register_flows()
    task = asyncio.create_task(
        run_timers_forever(app.state.db, app.state.settings, lambda: app.state.clock), name="timers"
    )
    steps = InterfaceSteps(
        app.state.db,
        lambda: app.state.clock,
        app.state.settings.secret_key,
        lambda: app.state.keys,
    )
    app.state.ivr_interface_steps = steps
    return [task, asyncio.create_task(steps.run_forever(), name="ivr-interface-steps")]
