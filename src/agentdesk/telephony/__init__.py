"""Calls, agent states, ACD routing and timers: the contact core for voice and video.

Pure decisions live in `routing.py` and the state machines of `agentdesk.contacts`
(plain data, injected clock). The do_*
transactions are split by who acts: `customer_actions.py` (whatever channel carries the
customer) and `agent_actions.py` (the toolbar). Both use the shared `steps.py` (queue, offer,
answer, end); `deadlines.py` is the one place each timer kind is scheduled; `timer_handlers.py`
says what a due timer does and is registered explicitly by `runner.py`. Each action locks
what it changes, applies a decision, appends outbox events and schedules timers, all in the
caller's transaction. Channels (the simulator first) are adapters in `agentdesk.channels`.
"""
