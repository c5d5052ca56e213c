"""The interface every channel adapter offers, and the registry the core asks for one.

Pure: no database, no web framework. The registry is filled explicitly at start-up
(`agentdesk.routes.register_channels`), never by importing an adapter.
"""

from dataclasses import dataclass, field
from typing import Protocol

from agentdesk.kit.errors import Conflict


class ChannelAdapter(Protocol):
    """A way contacts reach the contact center: a telephone network, a chat provider, the
    simulator. `name` is stored on every contact the channel carries."""

    name: str
    # The media families whose contacts this channel carries (see agentdesk.contacts).
    families: frozenset[str]
    # Whether agents' outbound contacts of those families are placed through this channel.
    places_outbound: bool


class NoChannel(Conflict):
    code = "no_channel"


@dataclass
class ChannelRegistry:
    adapters: dict[str, ChannelAdapter] = field(default_factory=dict)

    def register(self, adapter: ChannelAdapter) -> None:
        """Add (or replace, by name) an adapter; registering the same one twice is harmless."""
        self.adapters[adapter.name] = adapter

    def get(self, name: str) -> ChannelAdapter | None:
        return self.adapters.get(name)

    def outbound_for(self, family: str) -> ChannelAdapter:
        """The channel an agent's outbound contact of `family` goes out through: the first
        registered that places outbound contacts of that family."""
        for adapter in self.adapters.values():
            if adapter.places_outbound and family in adapter.families:
                return adapter
        raise NoChannel(f"no channel places outbound {family.replace('_', '/')} contacts")


CHANNELS = ChannelRegistry()
