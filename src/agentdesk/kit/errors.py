"""Domain errors that carry an HTTP status; rendered in one place (app.py)."""

from dataclasses import dataclass

from agentdesk.kit.messages import translate

LIMIT_RULE = "limit"


@dataclass
class FieldError:
    """One broken rule on one field: the UI shows `message` next to `field`.

    `message_zh` is the same message in Chinese where the code gives one; otherwise the catalog
    of `kit/messages.py` translates `message`. `limit` is the number a
    tenant limit allows (rule `limit`), so pages and API clients need not parse the message."""

    field: str
    rule: str
    message: str
    message_zh: str | None = None
    limit: int | None = None

    def message_in(self, lang: str) -> str:
        if lang == "zh" and self.message_zh:
            return self.message_zh
        return translate(self.message, lang)

    def as_dict(self, lang: str = "en") -> dict:
        body = {"field": self.field, "rule": self.rule, "message": self.message_in(lang)}
        if self.limit is not None:
            body["limit"] = self.limit
        return body

    @classmethod
    def limit_reached(cls, field: str, limit: int, en: str, zh: str) -> "FieldError":
        """Every tenant limit is refused the same way: 422, rule `limit`, the limit named.

        `en` and `zh` are the messages with `{limit}` where the number goes."""
        return cls(field, LIMIT_RULE, en.format(limit=limit), zh.format(limit=limit), limit)


class DomainError(Exception):
    """A refused request: `code` stays the same in every language, `message_in` follows the
    user's (`message_zh` when the raiser gives it, else the catalog of `kit/messages.py`)."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, message_zh: str | None = None):
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh
        if code:
            self.code = code

    def message_in(self, lang: str) -> str:
        if lang == "zh" and self.message_zh:
            return self.message_zh
        return translate(self.message, lang)


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class Unauthorized(DomainError):
    status_code = 401
    code = "unauthorized"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class ValidationFailed(DomainError):
    """Input broke one or more rules; always names the field and the rule (HTTP 422)."""

    status_code = 422
    code = "validation_failed"

    def __init__(self, errors: list[FieldError]):
        super().__init__(self.detail_in("en", errors))
        self.errors = errors

    @staticmethod
    def detail_in(lang: str, errors: list[FieldError]) -> str:
        return "; ".join(f"{e.field}: {e.message_in(lang)}" for e in errors)

    @classmethod
    def single(cls, field: str, rule: str, message: str) -> "ValidationFailed":
        return cls([FieldError(field, rule, message)])


class LimitReached(ValidationFailed):
    """A tenant limit (pop pages, parameters, base tables, fields, custom pages, objects,
    queues, licensed agents) is full: see `FieldError.limit_reached`."""

    def __init__(self, field: str, limit: int, en: str, zh: str):
        super().__init__([FieldError.limit_reached(field, limit, en, zh)])


class TooManyRequests(DomainError):
    """Slow down: `retry_after` seconds (sent as the Retry-After header and in the body)."""

    status_code = 429
    code = "throttled"

    def __init__(
        self,
        message: str,
        *,
        retry_after: int,
        code: str | None = None,
        message_zh: str | None = None,
    ):
        super().__init__(message, code=code, message_zh=message_zh)
        self.retry_after = retry_after
