"""A state machine as plain data: states carrying tags, transitions named by the event that
causes them. Pure (no database), so every rule is testable on its own and extending a
machine is adding data, not code in the actions.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from agentdesk.kit.errors import Conflict


class InvalidTransition(Conflict):
    code = "invalid_state"


@dataclass(frozen=True)
class State:
    name: str
    zh: str
    en: str
    # What actions ask about a state ("live", "in_contact", ...), never its name.
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Transition:
    """`event` moves a state named in `sources`, or tagged with one of `source_tags`, to
    `target`. Tags let a new state join an existing transition by being tagged."""

    event: str
    target: str
    sources: frozenset[str] = frozenset()
    source_tags: frozenset[str] = frozenset()

    def applies_to(self, state: State) -> bool:
        return state.name in self.sources or bool(state.tags & self.source_tags)


@dataclass(frozen=True)
class StateMachine:
    name: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    _by_name: dict[str, State] = field(init=False, repr=False, compare=False)
    _by_event: dict[str, Transition] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name = {s.name: s for s in self.states}
        by_event = {t.event: t for t in self.transitions}
        if len(by_name) != len(self.states) or len(by_event) != len(self.transitions):
            raise ValueError(f"{self.name}: a state or an event is defined twice")
        for t in self.transitions:
            unknown = ({t.target} | t.sources) - by_name.keys()
            if unknown:
                raise ValueError(f"{self.name}: {t.event} names unknown states {unknown}")
        object.__setattr__(self, "_by_name", by_name)
        object.__setattr__(self, "_by_event", by_event)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.states)

    def state(self, name: str) -> State:
        return self._by_name[name]

    def has(self, name: str, tag: str) -> bool:
        state = self._by_name.get(name)
        return state is not None and tag in state.tags

    def tagged(self, tag: str) -> frozenset[str]:
        return frozenset(s.name for s in self.states if tag in s.tags)

    def allows(self, state: str, event: str) -> bool:
        transition = self._by_event.get(event)
        return (
            transition is not None
            and state in self._by_name
            and transition.applies_to(self._by_name[state])
        )

    def next(self, state: str, event: str) -> str:
        """The state after `event`, or InvalidTransition naming both (also for an event this
        machine does not know: e.g. an offer to a family whose state contacts do not change)."""
        if not self.allows(state, event):
            raise InvalidTransition(
                f"cannot {event.replace('_', ' ')} while {state.replace('_', ' ')}"
            )
        return self._by_event[event].target

    def labels(self) -> dict[str, tuple[str, str]]:
        return {s.name: (s.zh, s.en) for s in self.states}

    def extended(
        self,
        states: Iterable[State] = (),
        transitions: Iterable[Transition] = (),
        *,
        also_from: dict[str, Iterable[str]] | None = None,
    ) -> "StateMachine":
        """This machine with more states and transitions; `also_from` adds new source states
        to existing events (e.g. {"end": ["in_ivr"]} when the tag does not already say it)."""
        extra_sources = {event: frozenset(names) for event, names in (also_from or {}).items()}
        merged = tuple(
            Transition(
                t.event, t.target, t.sources | extra_sources.get(t.event, frozenset()),
                t.source_tags,
            )
            for t in self.transitions
        )  # fmt: skip
        return StateMachine(self.name, self.states + tuple(states), merged + tuple(transitions))
