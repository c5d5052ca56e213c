"""Pop integration modes as a registry: each mode one module, asked by name."""

from types import SimpleNamespace

from agentdesk.config_center.screenpop import integrations, opening, popparams
from agentdesk.config_center.screenpop.choices import INTEGRATIONS
from agentdesk.config_center.whitelist.matching import parse_entry

ENTRIES = [(parse_entry("https://crm.example.com"), False)]
CALL = {"callid": "1-1", "callerNum": "13800000001"}


def page(integration: str, **values) -> SimpleNamespace:
    fields = dict(
        id=7,
        name="CRM",
        open_mode="embed",
        integration=integration,
        page_type="external",
        url="https://crm.example.com/c?x=1",
        secret=None,
        custom_page_id=None,
    )
    return SimpleNamespace(**{**fields, **values})


def test_the_registry_holds_get_post_and_webapi_and_decides_the_stored_names():
    assert integrations.NAMES == ("get", "post", "webapi") == INTEGRATIONS
    assert [integrations.mode_of(n).per_call for n in integrations.NAMES] == [True, True, False]
    assert [integrations.mode_of(n).embed_only for n in integrations.NAMES] == [False, False, True]


def test_get_appends_the_parameters_and_origin_to_the_query():
    result = opening.instruction(page("get"), [], ENTRIES, CALL, {}, "https://wb", 1)
    assert result.status == "open" and result.method == "GET" and not result.fields
    query = dict(popparams.query_params(result.url))
    assert query["x"] == "1" and query["callid"] == "1-1" and query["origin"] == "https://wb"
    assert result.page_origin == "https://crm.example.com"


def test_post_sends_a_signed_form_and_nothing_in_the_url():
    result = opening.instruction(
        page("post", secret="s" * 16), [], ENTRIES, CALL, {}, "https://wb", 1700000000
    )
    assert (result.method, result.url) == ("POST", "https://crm.example.com/c?x=1")
    names = [name for name, _ in result.fields]
    assert (
        names[-3:] == ["origin", "adk_ts", "adk_sig"] and ("adk_ts", "1700000000") in result.fields
    )


def test_webapi_opens_the_page_as_it_is():
    result = opening.instruction(page("webapi"), [], ENTRIES, CALL, {}, "https://wb", 1)
    assert (result.url, result.fields, result.method) == (
        "https://crm.example.com/c?x=1",
        [],
        "GET",
    )


def test_a_page_outside_the_whitelist_is_blocked_with_a_code():
    result = opening.instruction(
        page("get", url="https://evil.example/"), [], ENTRIES, CALL, {}, "https://wb", 1
    )
    assert result.status == "blocked" and result.reason_code == "not_whitelisted"
    assert "whitelist" in result.reason
