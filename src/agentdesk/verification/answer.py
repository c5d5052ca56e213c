"""The enterprise verification interface's answer (guide 4.4.5, 二次开发接口), parsed (pure).

The interface answers `{"calldata": {"data": {"verifyResult": 0|1|2|3, "verifyReturn1": "",
"verifyReturn2": "", "verifyReturn3": ""}}}`. verifyResult is 0 not returned, 1 passed,
2 failed, 3 error; an int or a digit string. Anything else - a time-out, an HTTP error, bytes
that are not JSON, a missing or wrongly typed field, an over-long return - is result "3"
(error) with empty returns: a page must never read "passed" from an answer it cannot trust.
"""

import json
from dataclasses import dataclass

RESULTS = ("0", "1", "2", "3")
NOT_RETURNED, PASSED, FAILED, ERROR = RESULTS
RETURN_FIELDS = ("verifyReturn1", "verifyReturn2", "verifyReturn3")
MAX_RETURN = 256  # the width of the records' return columns


@dataclass(frozen=True)
class VerifyAnswer:
    result: str
    returns: tuple[str, str, str] = ("", "", "")


ERROR_ANSWER = VerifyAnswer(ERROR)


def parse_verify_answer(payload: object, error: str | None = None) -> VerifyAnswer:
    """The answer of one call: `payload` is the body (bytes/str, decoded here) or already
    decoded JSON; `error` is set when the call itself failed (time-out, HTTP status, ...)."""
    if error is not None or payload is None:
        return ERROR_ANSWER
    if isinstance(payload, bytes | bytearray | str):
        try:
            payload = json.loads(payload)
        except (ValueError, UnicodeDecodeError):
            return ERROR_ANSWER
    data = _data(payload)
    if data is None:
        return ERROR_ANSWER
    result = _result(data.get("verifyResult"))
    returns = tuple(_return_value(data.get(name)) for name in RETURN_FIELDS)
    if result is None or any(value is None for value in returns):
        return ERROR_ANSWER
    return VerifyAnswer(result, returns)  # type: ignore[arg-type]


def _data(payload: object) -> dict | None:
    calldata = payload.get("calldata") if isinstance(payload, dict) else None
    data = calldata.get("data") if isinstance(calldata, dict) else None
    return data if isinstance(data, dict) else None


def _result(value: object) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        return None
    return text if text in RESULTS else None


def _return_value(value: object) -> str | None:
    """A return field: text or a number; absent or null is empty; anything else is wrong."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = str(value)
    return text if len(text) <= MAX_RETURN else None
