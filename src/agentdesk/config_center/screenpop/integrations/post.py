"""URL POST [URL POST]: an application/x-www-form-urlencoded form posted into the frame, so
nothing of the call's data is in the URL (R-POP-4)."""

from agentdesk.config_center.screenpop.integrations.base import IntegrationMode, Opening, PopContext


def _open(context: PopContext) -> Opening:
    return Opening(url=context.url, method="POST", fields=tuple(context.values()))


MODE = IntegrationMode(name="post", per_call=True, embed_only=False, open=_open)
