"""The registry of pop integration modes [集成方式]: URL GET, URL POST, Web API.

A mode is one module with a `MODE` (see `base.IntegrationMode`): how the page is opened from a
call's data, whether it opens per call, whether it must be embedded. Adding a mode is adding a
module and naming it in `MODES`; the rest of screen pops (validation, the workbench, "try it")
asks the registry. Registered explicitly here: importing a module has no side effect.

Pure: no database, no web framework.
"""

from agentdesk.config_center.screenpop.integrations import get, post, webapi
from agentdesk.config_center.screenpop.integrations.base import (
    IntegrationMode,
    Opening,
    PopContext,
)

__all__ = ["MODES", "NAMES", "IntegrationMode", "Opening", "PopContext", "mode_of"]

MODES: dict[str, IntegrationMode] = {mode.name: mode for mode in (get.MODE, post.MODE, webapi.MODE)}
NAMES: tuple[str, ...] = tuple(MODES)


def mode_of(name: str) -> IntegrationMode:
    """The mode named `name` (names are validated on input, so an unknown one is a bug)."""
    return MODES[name]
