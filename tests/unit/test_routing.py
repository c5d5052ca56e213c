from datetime import datetime, timedelta

from agentdesk.telephony.routing import (
    AgentCandidate,
    WaitingCall,
    admit,
    apply_policy,
    choose_agent,
    choose_call,
    outbound_queue_types,
    rank_agents,
    takes_inbound,
)

T0 = datetime(2026, 1, 1, 9, 0, 0)


def cand(agent_id, skill=1, weight=1, idle_minutes_ago=0):
    return AgentCandidate(agent_id, skill, weight, T0 - timedelta(minutes=idle_minutes_ago))


def test_highest_skill_weight_wins_over_agent_weight_and_idle_time():
    chosen = choose_agent([cand(1, skill=1, weight=9, idle_minutes_ago=60), cand(2, skill=3)])
    assert chosen.agent_id == 2


def test_agent_weight_breaks_a_skill_tie():
    chosen = choose_agent(
        [cand(1, skill=2, weight=1, idle_minutes_ago=60), cand(2, skill=2, weight=5)]
    )
    assert chosen.agent_id == 2


def test_longest_idle_breaks_a_full_tie():
    chosen = choose_agent([cand(1, idle_minutes_ago=1), cand(2, idle_minutes_ago=10), cand(3)])
    assert chosen.agent_id == 2


def test_rank_agents_orders_every_candidate():
    ranked = rank_agents([cand(1), cand(2, skill=2), cand(3, weight=3)])
    assert [c.agent_id for c in ranked] == [2, 3, 1]


def test_no_candidates_means_no_agent():
    assert choose_agent([]) is None
    assert choose_call([]) is None


def test_free_agent_takes_strongest_skill_then_longest_waiting_call():
    waiting = [
        WaitingCall(1, queue_id=10, queued_at=T0 - timedelta(minutes=5), skill_weight=1),
        WaitingCall(2, queue_id=20, queued_at=T0, skill_weight=2),
        WaitingCall(3, queue_id=20, queued_at=T0 - timedelta(minutes=1), skill_weight=2),
    ]
    assert choose_call(waiting).call_id == 3


def test_admission_no_agent_on_duty():
    assert (
        admit(signed_in_agents=0, idle_agents=0, queued_calls=0, max_queued=10).outcome
        == "no_agent"
    )


def test_admission_offers_to_an_idle_agent_when_nobody_waits():
    assert admit(2, 1, 0, 10).outcome == "offer"


def test_admission_queues_behind_waiting_calls_even_with_an_idle_agent():
    assert admit(2, 1, 1, 10).outcome == "queue"


def test_admission_queues_when_all_busy_and_overflows_when_full():
    assert admit(2, 0, 9, 10).outcome == "queue"
    assert admit(2, 0, 10, 10).outcome == "overflow"


def test_policy_release_is_the_default():
    assert apply_policy("release", None, 0, 5).action == "release"


def test_policy_transfer_until_the_transfer_limit():
    decision = apply_policy("transfer_queue", 7, 0, 5)
    assert (decision.action, decision.target_queue_id) == ("transfer", 7)
    limited = apply_policy("transfer_queue", 7, 5, 5)
    assert (limited.action, limited.reason) == ("release", "too_many_transfers")


def test_policy_transfer_without_target_releases():
    assert apply_policy("transfer_queue", None, 0, 5).action == "release"


def test_only_outbound_agents_take_no_inbound_calls():
    assert takes_inbound("operator") and takes_inbound("inspector")
    assert not takes_inbound("outbound")


def test_an_outbound_call_prefers_the_queues_of_its_own_media():
    assert outbound_queue_types("video") == ("video", "video_click")
    assert outbound_queue_types("audio") == ("voice", "voice_click")
    assert outbound_queue_types("email") == ()
