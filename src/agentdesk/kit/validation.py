"""Turn pydantic's errors into FieldErrors that name the field and the rule."""

from agentdesk.kit.errors import FieldError


def field_errors_from_pydantic(errors: list[dict]) -> list[FieldError]:
    result = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        field = ".".join(loc) or "body"
        result.append(FieldError(field=field, rule=err.get("type", "invalid"), message=err["msg"]))
    return result
