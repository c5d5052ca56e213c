"""Web API: the page opens once with the workbench, as it is (no parameters), and stays open
across calls; AICCSupport.js gives it the call events and actions (R-SDK-9)."""

from agentdesk.config_center.screenpop.integrations.base import IntegrationMode, Opening, PopContext


def _open(context: PopContext) -> Opening:
    return Opening(url=context.url)


MODE = IntegrationMode(name="webapi", per_call=False, embed_only=True, open=_open)
