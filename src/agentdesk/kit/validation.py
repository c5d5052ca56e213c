"""Shared input types with their bounds, and pydantic's errors as FieldErrors that name the
field and the rule.

Every integer a client sends is bounded: the databases store 64-bit integers, and a number
beyond that used to reach the driver and fail there (HTTP 500) instead of being refused as
bad input. Use `Id` for row ids, `PageNumber` for page numbers and `Int64` for any other
integer without a tighter rule; `tests/unit/test_input_bounds.py` walks the OpenAPI document
and fails on an unbounded integer anywhere in a request.

In a FastAPI signature write `page: Annotated[PageNumber, Query(...)] = 1`, not
`page: PageNumber = Query(1)`: FastAPI drops the bounds of a bare Annotated type whose default
is a `Query(...)`.
"""

from typing import Annotated
from urllib.parse import urlsplit

from annotated_types import Interval
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from agentdesk.kit.errors import FieldError
from agentdesk.kit.messages import pydantic_message

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# Offsets are page × page size: bounded pages keep them far inside 64 bits.
MAX_PAGE = 1_000_000_000

Id = Annotated[int, Interval(ge=1, le=INT64_MAX)]
Int64 = Annotated[int, Interval(ge=INT64_MIN, le=INT64_MAX)]
PageNumber = Annotated[int, Interval(ge=1, le=MAX_PAGE)]


def _url_problem(exc: ValueError) -> str:
    # urlsplit's own messages may quote the netloc (user info included): say why, not what.
    text = str(exc)
    if "IPv6" in text:
        return "the brackets of an IPv6 host are not balanced"
    if "NFKC" in text:
        return "the host has characters that become URL delimiters under NFKC (e.g. fullwidth ＃)"
    if "Port" in text or "port" in text:
        return "the port must be a number from 0 to 65535"
    return "the URL cannot be parsed"


def _splits_as_url(value: str) -> str:
    """Refuse text that `urlsplit` itself rejects (`https://[::1`, a netloc with `＃`, which
    NFKC turns into `#`) or whose port is no number, before any service parses it."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - the property raises ValueError for a bad port
    except ValueError as exc:
        raise PydanticCustomError("url", _url_problem(exc)) from None
    return value


UrlText = Annotated[str, AfterValidator(_splits_as_url)]

# Rules a form shows before the first save (crud-form.js reads `x-rule` from /openapi.json):
# the ones no length or pattern in the schema says by itself.
USERNAME_RULE = {
    "x-rule": {
        "zh": "字母、数字和 . _ @ -，不能有空格",
        "en": "letters, digits and . _ @ - (no spaces)",
    }
}
PASSWORD_RULE = {
    "x-rule": {
        "zh": "至少 8 个字符；不能是用户名（或用户名加数字、符号）；不能是常见密码",
        "en": "at least 8 characters; not the username (nor it with digits or symbols added); "
        "not a common password",
    }
}


def field_errors_from_pydantic(errors: list[dict]) -> list[FieldError]:
    """pydantic's errors as FieldErrors: the rule is pydantic's error type, the Chinese comes
    from that type (or from the catalog for our own messages), never "(rule)" suffixes."""
    result = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        field = ".".join(loc) or "body"
        rule = err.get("type", "invalid")
        zh = pydantic_message(rule, err["msg"], err.get("ctx"), "zh")
        result.append(FieldError(field=field, rule=rule, message=err["msg"], message_zh=zh))
    return result
