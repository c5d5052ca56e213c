"""UI language: the user's choice (cookie `lang`), else the browser's Accept-Language."""

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
