"""What a pop page receives: defaults, configured parameters, encoding, signature (R-POP-4…7)."""

import hashlib
import hmac
from urllib.parse import quote

from agentdesk.config_center.screenpop.popparams import (
    CALL_DATA_KEYS,
    ParamSpec,
    canonical,
    get_url,
    pop_values,
    query_params,
    select_params,
    sign,
)

CALL = {
    "callerNum": "13800000001",
    "calledNum": "960358",
    "callid": "1700000000-0001",
    "mediaType": "audio",
    "callType": "0",
    "workNo": "101",
    "callskill": "售后 queue&1",
    "callskillid": "7",
    "agentName": "agent101",
    "state": "talking",
}


def test_nothing_configured_sends_the_nine_call_data_parameters_in_order():
    params = select_params(pop_values(CALL), {}, [])
    assert [name for name, _ in params] == list(CALL_DATA_KEYS)
    assert dict(params)["mediaType"] == "1"  # 1 = audio/video for pop pages (R-POP-5)
    assert "state" not in dict(params)


def test_configured_parameters_are_exactly_those_from_call_or_attached_data():
    configured = [
        ParamSpec("caller", "call_data", "callerNum"),
        ParamSpec("time", "attached_data", "time"),
        ParamSpec("missing", "attached_data", "notThere"),
    ]
    params = select_params(CALL, {"time": "09:30", "address": "x"}, configured)
    assert params == [("caller", "13800000001"), ("time", "09:30"), ("missing", "")]


def test_multimedia_media_type_is_5():
    assert pop_values({**CALL, "mediaType": "wechat"})["mediaType"] == "5"


def test_get_url_keeps_the_existing_query_and_encodes_values():
    params = [("callskill", "售后 queue&1"), ("x", "a=b+c#d"), ("origin", "http://127.0.0.1:8000")]
    url = get_url("https://crm.example.com/p?tenant=a&lang=zh#top", params)
    assert url.startswith("https://crm.example.com/p?tenant=a&lang=zh&callskill=")
    assert url.endswith("#top")
    # Decoded by the page's server: exactly the values we meant, nothing split or lost.
    assert query_params(url) == [("tenant", "a"), ("lang", "zh"), *params]
    # The origin stays readable for pages that do not decode (the guide's getUrlParam).
    assert "origin=http://127.0.0.1:8000" in url
    assert "%E5%94%AE%E5%90%8E%20queue%261" in url


def test_get_url_without_a_query():
    assert get_url("https://a.example/p", [("a", "1")]) == "https://a.example/p?a=1"
    assert get_url("https://a.example/p?", [("a", "1")]) == "https://a.example/p?a=1"


def test_signature_is_an_hmac_over_the_sorted_parameters_the_page_can_recompute():
    params = [("callid", "1"), ("callerNum", "138 0"), ("origin", "http://w:8000")]
    signed = sign(params, "s" * 20, timestamp=1_700_000_000)
    names = [name for name, _ in signed]
    assert names == ["callid", "callerNum", "origin", "adk_ts", "adk_sig"]
    received = dict(signed)
    # What the README tells integrators to do, written independently here.
    text = "&".join(
        f"{quote(k, safe='')}={quote(v, safe='')}"
        for k, v in sorted(received.items())
        if k != "adk_sig"
    )
    expected = hmac.new(b"s" * 20, text.encode(), hashlib.sha256).hexdigest()
    assert received["adk_sig"] == expected
    assert canonical(signed) == text
    tampered = [(k, "139" if k == "callerNum" else v) for k, v in signed]
    assert sign(tampered[:-2], "s" * 20, 1_700_000_000)[-1][1] != expected
