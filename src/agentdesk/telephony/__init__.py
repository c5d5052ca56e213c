"""Calls, agent states, ACD routing, timers and channels (the simulator today).

Pure decisions live in `routing.py` and `states.py` (plain data, injected clock). `actions.py`
holds the do_* transactions: each locks what it changes, applies a decision, appends outbox
events and schedules timers, all in the caller's transaction.
"""
