"""framing_verdict: the browsers' X-Frame-Options / CSP frame-ancestors rules (R-POP-10)."""

import httpx
import pytest

from agentdesk.config_center.screenpop.framing import framing_verdict

WB = "https://desk.example.com"
PAGE = "https://crm.example.net/customer?id=1"


def verdict(headers, page=PAGE, workbench=WB) -> str:
    return framing_verdict(headers, page, workbench)[0]


def reason(headers, page=PAGE, workbench=WB) -> str:
    return framing_verdict(headers, page, workbench)[1]


# ---------------------------------------------------------------- no headers


def test_no_headers_allow_framing():
    assert verdict({}) == "allowed"
    assert "Neither" in reason({})


def test_unrelated_csp_without_frame_ancestors_does_not_restrict():
    assert verdict({"Content-Security-Policy": "default-src 'self'; script-src 'none'"}) == (
        "allowed"
    )


# ---------------------------------------------------------------- X-Frame-Options


def test_xfo_deny_forbids_even_same_origin():
    assert verdict({"X-Frame-Options": "DENY"}) == "forbidden"
    assert verdict({"X-Frame-Options": "DENY"}, page=WB + "/page") == "forbidden"
    assert "DENY" in reason({"X-Frame-Options": "DENY"})


def test_xfo_sameorigin_cross_origin_forbidden():
    assert verdict({"X-Frame-Options": "SAMEORIGIN"}) == "forbidden"
    assert "SAMEORIGIN" in reason({"X-Frame-Options": "SAMEORIGIN"})
    assert WB in reason({"X-Frame-Options": "SAMEORIGIN"})


def test_xfo_sameorigin_same_origin_allowed():
    assert verdict({"X-Frame-Options": "SAMEORIGIN"}, page=WB + "/pop/page.html") == "allowed"
    # Default port spelled out is still the same origin.
    assert verdict({"X-Frame-Options": "SAMEORIGIN"}, page="https://desk.example.com:443/x") == (
        "allowed"
    )


def test_xfo_sameorigin_differs_by_scheme_or_port():
    headers = {"X-Frame-Options": "SAMEORIGIN"}
    assert verdict(headers, page="http://desk.example.com/x") == "forbidden"
    assert verdict(headers, page="https://desk.example.com:8443/x") == "forbidden"


def test_xfo_allow_from_is_ignored_by_browsers():
    headers = {"X-Frame-Options": "ALLOW-FROM https://desk.example.com"}
    assert verdict(headers) == "allowed"
    assert "ignored" in reason(headers)
    other = {"X-Frame-Options": "ALLOW-FROM https://elsewhere.example.org"}
    assert verdict(other) == "allowed"


def test_xfo_garbage_is_ignored():
    headers = {"X-Frame-Options": "maybe-later"}
    assert verdict(headers) == "allowed"
    assert "invalid" in reason(headers)


@pytest.mark.parametrize("value", ["deny", "Deny", " DENY ", "dEnY"])
def test_xfo_values_are_case_insensitive(value):
    assert verdict({"x-frame-options": value}) == "forbidden"


def test_xfo_header_name_lowercase_and_uppercase():
    assert verdict({"x-frame-options": "sameorigin"}) == "forbidden"
    assert verdict({"X-FRAME-OPTIONS": "sameorigin"}, page=WB) == "allowed"


def test_xfo_conflicting_values_forbid():
    assert verdict({"X-Frame-Options": "SAMEORIGIN, DENY"}, page=WB) == "forbidden"
    assert verdict({"X-Frame-Options": "SAMEORIGIN, ALLOWALL"}, page=WB) == "forbidden"


def test_xfo_repeated_same_value_counts_once():
    headers = httpx.Headers([("X-Frame-Options", "SAMEORIGIN"), ("X-Frame-Options", "sameorigin")])
    assert verdict(headers, page=WB) == "allowed"
    assert verdict(headers) == "forbidden"


# ---------------------------------------------------------------- CSP frame-ancestors


def csp(value: str) -> dict:
    return {"Content-Security-Policy": value}


def test_frame_ancestors_none_forbids():
    assert verdict(csp("frame-ancestors 'none'")) == "forbidden"
    assert verdict(csp("frame-ancestors 'NONE'"), page=WB) == "forbidden"
    assert "'none'" in reason(csp("frame-ancestors 'none'"))


def test_frame_ancestors_empty_forbids():
    assert verdict(csp("default-src 'self'; frame-ancestors")) == "forbidden"


def test_frame_ancestors_self_is_the_page_origin():
    assert verdict(csp("frame-ancestors 'self'")) == "forbidden"
    assert verdict(csp("frame-ancestors 'self'"), page=WB + "/x") == "allowed"


def test_frame_ancestors_self_accepts_https_upgrade_of_http_page():
    headers = csp("frame-ancestors 'self'")
    assert verdict(headers, page="http://desk.example.com/x") == "allowed"
    assert verdict(
        headers, page="https://desk.example.com/x", workbench="http://desk.example.com"
    ) == ("forbidden")


def test_frame_ancestors_exact_origin_allows():
    assert verdict(csp("frame-ancestors https://desk.example.com")) == "allowed"
    assert verdict(csp("frame-ancestors 'self' https://DESK.example.com")) == "allowed"
    assert "allows the workbench origin" in reason(csp("frame-ancestors https://desk.example.com"))


def test_frame_ancestors_other_origin_forbids():
    headers = csp("frame-ancestors https://other.example.com")
    assert verdict(headers) == "forbidden"
    assert "https://other.example.com" in reason(headers)
    assert WB in reason(headers)


def test_frame_ancestors_wildcard_subdomain():
    headers = csp("frame-ancestors https://*.example.com")
    assert verdict(headers) == "allowed"
    assert verdict(headers, workbench="https://a.b.example.com") == "allowed"
    # The wildcard never matches the bare domain, nor a look-alike.
    assert verdict(headers, workbench="https://example.com") == "forbidden"
    assert verdict(headers, workbench="https://desk.example.com.evil.org") == "forbidden"
    assert verdict(headers, workbench="https://deskexample.com") == "forbidden"


def test_frame_ancestors_scheme_only_source():
    assert verdict(csp("frame-ancestors https:")) == "allowed"
    assert verdict(csp("frame-ancestors https:"), workbench="http://desk.example.com") == (
        "forbidden"
    )
    # http: also matches its secure upgrade.
    assert verdict(csp("frame-ancestors http:")) == "allowed"


def test_frame_ancestors_host_without_scheme_uses_the_page_scheme():
    headers = csp("frame-ancestors desk.example.com")
    assert verdict(headers) == "allowed"
    assert verdict(headers, workbench="http://desk.example.com") == "forbidden"
    assert verdict(
        headers, page="http://crm.example.net/", workbench="http://desk.example.com"
    ) == ("allowed")


def test_frame_ancestors_scheme_mismatch():
    assert verdict(
        csp("frame-ancestors https://desk.example.com"), workbench="http://desk.example.com"
    ) == ("forbidden")


def test_frame_ancestors_port_rules():
    wb8443 = "https://desk.example.com:8443"
    assert verdict(csp("frame-ancestors https://desk.example.com"), workbench=wb8443) == "forbidden"
    assert verdict(csp("frame-ancestors https://desk.example.com:9443"), workbench=wb8443) == (
        "forbidden"
    )
    assert verdict(csp("frame-ancestors https://desk.example.com:8443"), workbench=wb8443) == (
        "allowed"
    )
    assert verdict(csp("frame-ancestors https://desk.example.com:*"), workbench=wb8443) == "allowed"
    assert verdict(csp("frame-ancestors https://desk.example.com:443")) == "allowed"
    assert verdict(csp("frame-ancestors https://desk.example.com:8443")) == "forbidden"


def test_frame_ancestors_path_is_ignored():
    assert verdict(csp("frame-ancestors https://desk.example.com/workbench/")) == "allowed"


def test_frame_ancestors_star():
    assert verdict(csp("frame-ancestors *")) == "allowed"
    assert verdict(csp("frame-ancestors *"), workbench="http://10.0.0.5:8000") == "allowed"


def test_frame_ancestors_none_among_other_sources_is_ignored():
    assert verdict(csp("frame-ancestors 'none' https://desk.example.com")) == "allowed"


def test_first_frame_ancestors_directive_in_a_policy_wins():
    headers = csp("frame-ancestors https://desk.example.com; frame-ancestors 'none'")
    assert verdict(headers) == "allowed"


def test_directive_name_is_case_insensitive():
    assert verdict(csp("Frame-Ancestors 'none'")) == "forbidden"


def test_csp_wins_over_xfo():
    headers = {
        "X-Frame-Options": "DENY",
        "Content-Security-Policy": "frame-ancestors https://desk.example.com",
    }
    assert verdict(headers) == "allowed"
    assert "X-Frame-Options" in reason(headers)
    headers = {"X-Frame-Options": "SAMEORIGIN", "Content-Security-Policy": "frame-ancestors *"}
    assert verdict(headers) == "allowed"


def test_csp_none_wins_over_permissive_xfo():
    headers = {"X-Frame-Options": "ALLOW-FROM https://desk.example.com"} | csp(
        "frame-ancestors 'none'"
    )
    assert verdict(headers) == "forbidden"


def test_csp_without_frame_ancestors_leaves_xfo_in_charge():
    headers = {"X-Frame-Options": "DENY", "Content-Security-Policy": "default-src https:"}
    assert verdict(headers) == "forbidden"


def test_report_only_policy_is_ignored():
    headers = {"Content-Security-Policy-Report-Only": "frame-ancestors 'none'"}
    assert verdict(headers) == "allowed"
    assert "Report-Only" in reason(headers)
    # ...and it does not switch X-Frame-Options off either.
    headers["X-Frame-Options"] = "DENY"
    assert verdict(headers) == "forbidden"


def test_several_csp_headers_all_must_allow():
    both_allow = httpx.Headers(
        [
            ("Content-Security-Policy", "frame-ancestors https://desk.example.com"),
            ("Content-Security-Policy", "frame-ancestors https://*.example.com"),
        ]
    )
    assert verdict(both_allow) == "allowed"
    one_denies = httpx.Headers(
        [
            ("Content-Security-Policy", "frame-ancestors https://desk.example.com"),
            ("content-security-policy", "default-src 'self'; frame-ancestors 'none'"),
        ]
    )
    assert verdict(one_denies) == "forbidden"


def test_comma_separated_policies_in_one_header():
    headers = csp("frame-ancestors https://desk.example.com, frame-ancestors 'self'")
    assert verdict(headers) == "forbidden"
    assert verdict(headers, page=WB) == "allowed"


def test_pairs_and_plain_dicts_with_mixed_case_keys():
    pairs = [
        ("content-security-policy", "frame-ancestors https://desk.example.com"),
        ("CONTENT-SECURITY-POLICY", "frame-ancestors 'none'"),
    ]
    assert verdict(pairs) == "forbidden"
    assert verdict(dict(pairs)) == "forbidden"
    assert verdict(dict(pairs[:1])) == "allowed"
