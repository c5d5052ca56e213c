"""Presence decisions per media family, pure: what routing asks before offering a contact."""

from agentdesk.contacts.agent_states import AGENT_MACHINES


def can_take_one_more(family: str, state: str, active: int, capacity: int) -> bool:
    """Whether an agent whose `family` presence is `state`, holding `active` contacts of that
    family, may be offered one more: ready, and below the family's capacity."""
    return AGENT_MACHINES[family].has(state, "ready") and active < capacity


def holding_after(active: int, change: int, capacity: int) -> int:
    """The count of held contacts after taking (+1) or letting go (-1) of one, kept within
    0..capacity so that a lost update never leaves an agent unroutable forever."""
    return max(0, min(capacity, active + change))
