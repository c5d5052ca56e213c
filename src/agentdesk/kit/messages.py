"""Server messages in the user's language, translated on the server, in one place.

The code writes every message in English, as it always did, and keeps its stable `code` /
`rule`; clients that send no language get exactly that. For a Chinese session the message is
translated here when it is rendered (`kit/errors.py`, `kit/validation.py`):

* pydantic's own errors by their error type (the `rule`), with pydantic's context (`{le}`…);
* every other message by the catalog in `kit/messages_zh.py`: the English text with `{}` where
  the code interpolates a value. The values are kept, and translated too when they are
  themselves a term (a state, a kind of record) or a catalogued message (a reason inside a
  "line 3: …").

Why by the English text rather than a code per call site: the same rule code (`unique`,
`not_found`) carries different messages across domains, and the messages are written in ~200
places across every domain; keying by the text keeps them where they are while a unit test
(`tests/unit/test_message_catalog.py`) reads the source and fails on any message the catalog
lacks. Another domain adds its messages (e.g. page-check reasons as codes) by adding lines to
`messages_zh.MESSAGES` (English → Chinese) or, for a code with no English text of its own,
by raising with `message_zh=` / `FieldError(message_zh=...)`.

Pure: no I/O, no framework imports.
"""

import re
from functools import cache

from agentdesk.kit import messages_zh

PLACEHOLDER = "{}"
# A value kept exactly as it is (third-party text, e.g. an interface's answer): never translated.
RAW = "{raw}"
SLOT = re.compile(r"\{\}|\{raw\}")


@cache
def _patterns() -> list[tuple[re.Pattern, str, bool]]:
    """The catalog's templates as anchored patterns, the most specific (most literal text)
    first, so that "tenant {} not found" wins over "{} {} not found"."""
    templated = [
        (english, chinese)
        for english, chinese in messages_zh.MESSAGES.items()
        if SLOT.search(english)
    ]
    templated.sort(key=lambda item: -len(SLOT.sub("", item[0])))
    # A template of values and punctuation only ("{}: {}") translates nothing by itself: it
    # counts only when one of its values is a catalogued message.
    return [
        (_compile(english), chinese, not re.search("[A-Za-z]", SLOT.sub("", english)))
        for english, chinese in templated
    ]


def _compile(template: str) -> re.Pattern:
    # Values match greedily (a label of several words before an id), except before third-party
    # text, which may contain anything, the template's own punctuation included.
    pattern, at = [], 0
    raw_at = template.rfind(RAW)
    for slot in SLOT.finditer(template):
        pattern.append(re.escape(template[at : slot.start()]))
        if slot.group() == RAW:
            pattern.append(f"(?P<raw{len(pattern)}>.+)")
        else:
            pattern.append("(.+?)" if slot.start() < raw_at else "(.+)")
        at = slot.end()
    pattern.append(re.escape(template[at:]))
    return re.compile("".join(pattern), re.DOTALL)


def _zh(text: str, depth: int = 0) -> str | None:
    """The Chinese of one English message, or None when the catalog has no such message."""
    exact = messages_zh.MESSAGES.get(text) or messages_zh.TERMS.get(text)
    if exact is not None:
        return exact
    if depth > 3:
        return None
    for pattern, chinese, generic in _patterns():
        match = pattern.fullmatch(text)
        if match:
            raw = {match.start(name) for name in match.groupdict()}
            translated = [
                None if match.start(i + 1) in raw else _zh(value, depth + 1)
                for i, value in enumerate(match.groups())
            ]
            if generic and not any(translated):
                continue
            values = [zh or value for zh, value in zip(translated, match.groups(), strict=True)]
            return chinese.format(*values)
    return None


def translate(text: str, lang: str) -> str:
    """`text` in `lang`: English as written, Chinese from the catalog (English when missing,
    which the catalog's unit test prevents for every message the code writes)."""
    if lang != "zh" or not text:
        return text
    return _zh(text) or text


def has_translation(text: str) -> bool:
    return _zh(text) is not None


def pydantic_message(error_type: str, message: str, ctx: dict | None, lang: str) -> str:
    """A pydantic error in `lang`: our own messages by the catalog, pydantic's by type."""
    if lang != "zh":
        return message
    ours = _zh(message.removeprefix("Value error, "))
    if ours is not None:
        return ours
    template = messages_zh.PYDANTIC.get(error_type)
    if template is None:
        return message
    try:
        return template.format(**_readable(ctx or {}))
    except (KeyError, IndexError):
        return template.split("{")[0].rstrip("：，, ") or message


def _readable(ctx: dict) -> dict:
    # pydantic quotes choices ("'a', 'b' or 'c'"); Chinese lists them with 、 and 或.
    readable = {}
    for key, value in ctx.items():
        text = str(value)
        if key == "expected":
            text = text.replace("' or '", "'、'").replace("', '", "'、'").replace("'", "")
        readable[key] = text
    return readable
