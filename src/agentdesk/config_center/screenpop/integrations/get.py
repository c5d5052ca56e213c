"""URL GET [URL GET]: the parameters appended to the page's query, its own query kept (R-POP-4)."""

from agentdesk.config_center.screenpop import popparams
from agentdesk.config_center.screenpop.integrations.base import IntegrationMode, Opening, PopContext


def _open(context: PopContext) -> Opening:
    return Opening(url=popparams.get_url(context.url, context.values()))


MODE = IntegrationMode(name="get", per_call=True, embed_only=False, open=_open)
