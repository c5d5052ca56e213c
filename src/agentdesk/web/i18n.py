"""UI language: the user's choice (cookie `lang`), else the browser's Accept-Language.

Server messages (errors, import reasons) follow `request_language`; their Chinese catalog is
`kit/messages_zh.py` (translated by `kit.messages.translate`)."""

SUPPORTED = ("zh", "en")


def pick_language(cookie_value: str | None, accept_language: str | None) -> str:
    if cookie_value in SUPPORTED:
        return cookie_value
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return "zh"


def api_language(cookie_value: str | None, accept_language: str | None) -> str:
    """The language of API messages: the UI's choice, else the browser's; a client that says
    nothing (curl, scripts) gets English, the language of the API's rule codes."""
    if cookie_value is None and not accept_language:
        return "en"
    return pick_language(cookie_value, accept_language)


def request_language(request) -> str:
    """The language of a request's messages (see api_language)."""
    return api_language(request.cookies.get("lang"), request.headers.get("accept-language"))
