"""ACD decisions as pure functions over plain data (R-CC-5), testable without a database."""

from dataclasses import dataclass
from datetime import datetime

# Guide table 4-3 [平台角色]: an outbound agent [外呼座席] places calls and takes no incoming
# ones, so routing never offers them an inbound call nor counts them as on duty for a queue.
NO_INBOUND_ROLES = ("outbound",)

# The queue an outbound call is recorded under, by the call's media, best first: a video call
# belongs to the agent's video queue, not to whichever audio/video skill weighs most.
OUTBOUND_QUEUE_TYPES = {"audio": ("voice", "voice_click"), "video": ("video", "video_click")}


def takes_inbound(platform_role: str) -> bool:
    return platform_role not in NO_INBOUND_ROLES


def outbound_queue_types(media: str) -> tuple[str, ...]:
    """Queue types matching an outbound call's media, best first (empty when none does)."""
    return OUTBOUND_QUEUE_TYPES.get(media, ())


@dataclass(frozen=True)
class AgentCandidate:
    agent_id: int
    skill_weight: int
    agent_weight: int
    idle_since: datetime


@dataclass(frozen=True)
class WaitingCall:
    call_id: int
    queue_id: int
    queued_at: datetime
    skill_weight: int  # the idle agent's skill weight for this call's queue


def _agent_order(c: AgentCandidate) -> tuple:
    """Highest skill weight, then highest agent weight, then the agent idle the longest."""
    return (-c.skill_weight, -c.agent_weight, c.idle_since, c.agent_id)


def _call_order(w: WaitingCall) -> tuple:
    """For an agent who became free: their strongest skill first, then the longest-waiting call."""
    return (-w.skill_weight, w.queued_at, w.call_id)


def rank_agents(candidates: list[AgentCandidate]) -> list[AgentCandidate]:
    return sorted(candidates, key=_agent_order)


def rank_calls(waiting: list[WaitingCall]) -> list[WaitingCall]:
    return sorted(waiting, key=_call_order)


def choose_agent(candidates: list[AgentCandidate]) -> AgentCandidate | None:
    return min(candidates, key=_agent_order, default=None)


def choose_call(waiting: list[WaitingCall]) -> WaitingCall | None:
    return min(waiting, key=_call_order, default=None)


@dataclass(frozen=True)
class Admission:
    outcome: str  # "offer" | "queue" | "overflow" | "no_agent"


def admit(signed_in_agents: int, idle_agents: int, queued_calls: int, max_queued: int) -> Admission:
    """What happens to a call arriving at a queue.

    No signed-in agent with the skill: the no-agent-on-duty policy [无人上班]. An idle agent:
    offer at once. Otherwise it waits, unless the queue already holds its maximum, which is
    the busy/overflow policy [排队遇忙、溢出].
    """
    if signed_in_agents == 0:
        return Admission("no_agent")
    if idle_agents > 0 and queued_calls == 0:
        return Admission("offer")
    if queued_calls >= max_queued:
        return Admission("overflow")
    return Admission("queue")


@dataclass(frozen=True)
class PolicyDecision:
    action: str  # "release" | "transfer"
    target_queue_id: int | None = None
    reason: str = ""


def apply_policy(
    action: str, target_queue_id: int | None, transfers_so_far: int, max_transfers: int
) -> PolicyDecision:
    """Release, or transfer to the configured queue unless the call has been bounced too often."""
    if action == "transfer_queue" and target_queue_id is not None:
        if transfers_so_far >= max_transfers:
            return PolicyDecision("release", reason="too_many_transfers")
        return PolicyDecision("transfer", target_queue_id)
    return PolicyDecision("release")
