"""Every integer a request can carry is bounded (issue 8, item 10): a number beyond 64 bits
used to reach the database driver and fail there with HTTP 500. This walks the app's own
OpenAPI document, so a new route or schema with a bare `int` fails here."""

from agentdesk.app import create_app
from agentdesk.config import Settings
from agentdesk.kit.validation import INT64_MAX, INT64_MIN, field_errors_from_pydantic

SETTINGS = Settings(database_url="sqlite+aiosqlite://", secret_key="k" * 40, sim_token="t" * 20)


def _unbounded(schema: dict, where: str, components: dict, seen: set) -> list[str]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        return _unbounded(components[name], f"{where}->{name}", components, seen | {name})
    found = []
    if schema.get("type") == "integer":
        low, high = schema.get("minimum"), schema.get("maximum")
        # FastAPI writes body bounds as floats: 2**63 - 1 comes out as 2.0**63.
        if low is None or high is None or low < INT64_MIN or high > float(INT64_MAX):
            found.append(where)
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            found += _unbounded(sub, where, components, seen)
    for name, sub in schema.get("properties", {}).items():
        found += _unbounded(sub, f"{where}.{name}", components, seen)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            found += _unbounded(schema[key], f"{where}[]", components, seen)
    return found


def test_every_integer_in_a_request_is_bounded():
    doc = create_app(SETTINGS).openapi()
    components = doc["components"]["schemas"]
    found = []
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            for param in op.get("parameters", []):
                where = f"{method} {path} {param['in']}:{param['name']}"
                found += _unbounded(param["schema"], where, components, set())
            for content in op.get("requestBody", {}).get("content", {}).values():
                found += _unbounded(content["schema"], f"{method} {path} body", components, set())
    assert found == []


def test_the_walk_sees_a_bare_integer():
    """The check above would pass vacuously if it never looked: a bare int is caught."""
    components = {"M": {"properties": {"x": {"anyOf": [{"type": "integer"}, {"type": "null"}]}}}}
    assert _unbounded({"$ref": "#/components/schemas/M"}, "body", components, set()) == [
        "body->M.x"
    ]


def test_field_errors_name_the_field_and_the_rule():
    errors = [{"loc": ("path", "table_id"), "type": "less_than_equal", "msg": "too big"}]
    [error] = field_errors_from_pydantic(errors)
    assert (error.field, error.rule) == ("table_id", "less_than_equal")
