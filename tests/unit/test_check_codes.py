"""Check results as codes: the same codes and texts on the server and in the browser, every
reason readable in both languages, stored results rendered in the reader's language."""

import json
import re
from pathlib import Path

import pytest

from agentdesk.config_center.screenpop import checker
from agentdesk.config_center.screenpop.checkcodes import (
    ADVICE,
    REASONS,
    Reason,
    advice_text,
    render_reasons,
)
from agentdesk.config_center.screenpop.framing import decide

STATIC = Path(__file__).resolve().parents[2] / "src/agentdesk/web/static"


def js_table(name: str) -> dict[str, list[str]]:
    """One `export const NAME = {code: [zh, en], ...}` table of check-codes.js."""
    source = (STATIC / "check-codes.js").read_text(encoding="utf-8")
    body = re.search(rf"export const {name} = \{{(.*?)\n\}};", source, re.S).group(1)
    rows = re.findall(r"^\s+(\w+): (\[.*\]),$", body, re.M)
    return {code: json.loads(texts) for code, texts in rows}


def test_the_browser_knows_exactly_the_server_codes_with_the_same_reason_texts():
    reasons = js_table("CHECK_REASONS")
    assert set(reasons) == set(REASONS)
    for code, (en, zh) in REASONS.items():
        assert reasons[code] == [zh, en], code
    assert set(js_table("CHECK_ADVICE")) == set(ADVICE)


@pytest.mark.parametrize("code", sorted(REASONS))
def test_every_reason_has_chinese_text_with_the_same_parameters(code):
    en, zh = REASONS[code]
    assert re.search(r"[\u4e00-\u9fff]", zh), code
    assert set(re.findall(r"\{(\w+)\}", en)) == set(re.findall(r"\{(\w+)\}", zh)), code


def test_a_verdict_names_its_reasons_by_code_with_their_values():
    verdict = decide(
        {"X-Frame-Options": "SAMEORIGIN"}, "https://crm.example.net/a", "https://wb.example.com"
    )
    assert verdict.framing == "forbidden"
    assert [r.as_dict() for r in verdict.reasons] == [
        {
            "code": "xfo_sameorigin_other",
            "params": {"page": "https://crm.example.net", "workbench": "https://wb.example.com"},
        }
    ]
    zh = render_reasons(verdict.reasons, "zh")
    assert "https://crm.example.net" in zh and "同源" not in zh and "只允许" in zh


def test_a_report_only_policy_adds_its_own_reason():
    headers = {"Content-Security-Policy-Report-Only": "frame-ancestors 'none'"}
    codes = [r.code for r in decide(headers, "https://a.example", "https://b.example").reasons]
    assert codes == ["no_framing_rule", "report_only_ignored"]


def test_a_stored_result_is_read_in_the_readers_language():
    stored = {
        "reason": render_reasons([Reason("xfo_deny"), Reason("http_status", {"status": 404})]),
        "advice": [advice_text("use_independent_mode")],
        "reason_codes": [
            {"code": "xfo_deny", "params": {}},
            {"code": "http_status", "params": {"status": 404}},
        ],
        "advice_codes": ["use_independent_mode"],
    }
    assert checker.in_language(stored, "en") == stored
    zh = checker.in_language(stored, "zh")
    assert zh["reason"] == "X-Frame-Options: DENY 禁止在任何框架中嵌入该页面。 页面返回 HTTP 404。"
    assert zh["advice"] == ["请将打开方式改为“独立打开”"]
    assert zh["reason_codes"] == stored["reason_codes"]


def test_a_result_stored_before_codes_keeps_its_text():
    old = {
        "reason": "X-Frame-Options: DENY forbids embedding this page in any frame.",
        "advice": [],
    }
    assert checker.in_language(old, "zh") == old
    assert checker.in_language(None, "zh") is None


def test_the_english_advice_is_what_the_api_always_sent():
    assert checker.ADVICE_INDEPENDENT == "use independent mode [独立打开]"
    assert checker.ADVICE_HTTPS == "serve the page over HTTPS"
