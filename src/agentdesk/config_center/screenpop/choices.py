"""The values a pop page's fields may take (plain data, shared by models and schemas)."""

from agentdesk.config_center.screenpop import integrations

TABS = ("audio_video", "multimedia")
PAGE_TYPES = ("external", "internal")
OPEN_MODES = ("embed", "independent")
INTEGRATIONS = integrations.NAMES  # the registry of integration modes decides
PARAM_SOURCES = ("call_data", "attached_data")
