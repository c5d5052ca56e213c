"""Domain errors that carry an HTTP status; rendered in one place (app.py)."""

from dataclasses import dataclass


@dataclass
class FieldError:
    """One broken rule on one field: the UI shows `message` next to `field`."""

    field: str
    rule: str
    message: str

    def as_dict(self) -> dict:
        return {"field": self.field, "rule": self.rule, "message": self.message}


class DomainError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


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
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors

    @classmethod
    def single(cls, field: str, rule: str, message: str) -> "ValidationFailed":
        return cls([FieldError(field, rule, message)])


class TooManyRequests(DomainError):
    """Slow down: `retry_after` seconds (sent as the Retry-After header and in the body)."""

    status_code = 429
    code = "throttled"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None):
        super().__init__(message, code=code)
        self.retry_after = retry_after
