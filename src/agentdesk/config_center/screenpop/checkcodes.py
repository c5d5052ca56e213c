"""Codes of the page check's reasons and advice, and their text in English and Chinese.

The check stores codes (stable strings with their parameters); a reader gets the text in its
language from `render_reasons` / `advice_text`, and the configuration page translates the same
codes in the browser (static/check-codes.js: a unit test keeps both tables in step). The
English text is what the API said before codes existed, word for word.

Pure: plain data, no database, no web framework.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

LANGUAGES = ("en", "zh")


@dataclass(frozen=True)
class Reason:
    """One sentence of a check result: a code and the values its text names."""

    code: str
    params: Mapping[str, str | int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"code": self.code, "params": dict(self.params)}


# code -> (English, Chinese), with {name} where a parameter goes.
REASONS: dict[str, tuple[str, str]] = {
    "csp_forbids_all": (
        "Content-Security-Policy frame-ancestors {sources} forbids embedding this page in any "
        "frame.",
        "Content-Security-Policy frame-ancestors {sources} 禁止在任何框架中嵌入该页面。",
    ),
    "csp_excludes_workbench": (
        "Content-Security-Policy frame-ancestors {sources} does not allow the workbench origin "
        "{workbench}.",
        "Content-Security-Policy frame-ancestors {sources} 不允许工作台的源 {workbench} 嵌入。",
    ),
    "csp_allows_workbench": (
        "Content-Security-Policy frame-ancestors allows the workbench origin {workbench} "
        "(X-Frame-Options, if any, is ignored when frame-ancestors is present).",
        "Content-Security-Policy frame-ancestors 允许工作台的源 {workbench} 嵌入"
        "（有 frame-ancestors 时浏览器忽略 X-Frame-Options）。",
    ),
    "no_framing_rule": (
        "Neither Content-Security-Policy frame-ancestors nor X-Frame-Options restricts framing.",
        "页面既没有 Content-Security-Policy frame-ancestors，也没有 X-Frame-Options 限制嵌入。",
    ),
    "report_only_ignored": (
        "A Content-Security-Policy-Report-Only frame-ancestors only reports; it blocks nothing.",
        "Content-Security-Policy-Report-Only 中的 frame-ancestors 只报告，不拦截。",
    ),
    "xfo_conflicting": (
        "X-Frame-Options has conflicting values ({values}); browsers then refuse to embed the "
        "page.",
        "X-Frame-Options 的取值相互冲突（{values}），浏览器因此拒绝嵌入该页面。",
    ),
    "xfo_unrecognised": (
        "X-Frame-Options has several unrecognised values ({values}); browsers ignore it and "
        "embed the page.",
        "X-Frame-Options 有多个无法识别的取值（{values}），浏览器忽略它并嵌入该页面。",
    ),
    "xfo_deny": (
        "X-Frame-Options: DENY forbids embedding this page in any frame.",
        "X-Frame-Options: DENY 禁止在任何框架中嵌入该页面。",
    ),
    "xfo_sameorigin_same": (
        "X-Frame-Options: SAMEORIGIN, and the page has the workbench's origin.",
        "X-Frame-Options: SAMEORIGIN，且页面与工作台同源。",
    ),
    "xfo_sameorigin_other": (
        "X-Frame-Options: SAMEORIGIN allows only frames on {page}; the workbench origin is "
        "{workbench}.",
        "X-Frame-Options: SAMEORIGIN 只允许 {page} 上的框架嵌入；工作台的源是 {workbench}。",
    ),
    "xfo_allow_from": (
        "X-Frame-Options: ALLOW-FROM is obsolete and ignored by current browsers (Chrome, Edge, "
        "Firefox), so the page can be embedded; to restrict framing use "
        "Content-Security-Policy frame-ancestors instead.",
        "X-Frame-Options: ALLOW-FROM 已废弃，当前浏览器（Chrome、Edge、Firefox）会忽略它，"
        "因此页面可以嵌入；如需限制嵌入，请改用 Content-Security-Policy frame-ancestors。",
    ),
    "xfo_invalid": (
        "X-Frame-Options value '{value}' is invalid and ignored by browsers (Chrome ignores "
        "unknown values), so the page can be embedded.",
        "X-Frame-Options 的取值 '{value}' 无效，浏览器会忽略它（Chrome 忽略未知取值），"
        "因此页面可以嵌入。",
    ),
    "mixed_content": (
        "But the workbench is served over HTTPS, so browsers block this http:// page inside it "
        "(mixed content).",
        "但工作台通过 HTTPS 提供，浏览器会拦截其中的 http:// 页面（混合内容）。",
    ),
    "http_status": ("The page answered HTTP {status}.", "页面返回 HTTP {status}。"),
    "url_unchecked": ("The URL cannot be checked.", "无法检查该地址。"),
    "redirect_refused": (
        "The page was not fetched further: it redirects to an address that is not in the "
        "address whitelist, and the check visits whitelisted addresses only.",
        "页面未继续获取：它跳转到不在地址白名单中的地址，检查只访问白名单中的地址。",
    ),
    "address_not_public": (
        "The page was not fetched: its address is not public (a whitelist entry can allow "
        "private addresses of that entry for page checks).",
        "页面未获取：其地址不是公网地址（白名单条目可允许页面检查访问该条目的私有地址）。",
    ),
    "unreachable": (
        "The page could not be fetched from the AgentDesk server.",
        "AgentDesk 服务器无法获取该页面。",
    ),
    "too_many_redirects": (
        "The page redirects too many times to be checked.",
        "页面跳转次数过多，无法检查。",
    ),
}

# code -> (English, Chinese). The English text is the advice the API has always sent.
ADVICE: dict[str, tuple[str, str]] = {
    "use_independent_mode": ("use independent mode [独立打开]", "请将打开方式改为“独立打开”"),
    "serve_https": ("serve the page over HTTPS", "请通过 HTTPS 提供该页面"),
    "use_final_address": (
        "point the page URL at its final address",
        "请直接填写页面跳转后的最终地址",
    ),
}


def _text(table: dict[str, tuple[str, str]], code: str, lang: str) -> tuple[str, str]:
    en, zh = table[code]
    return zh if lang == "zh" else en, en


def reason_text(reason: Reason, lang: str = "en") -> str:
    template, _ = _text(REASONS, reason.code, lang)
    return template.format(**reason.params)


def render_reasons(reasons: Iterable[Reason], lang: str = "en") -> str:
    """The sentences of a result, in order, as one readable text."""
    return " ".join(reason_text(reason, lang) for reason in reasons)


def advice_text(code: str, lang: str = "en") -> str:
    return _text(ADVICE, code, lang)[0]


def reasons_from(stored: Iterable[Mapping]) -> list[Reason]:
    """Reasons back from their stored form ({"code", "params"}); unknown codes are dropped."""
    return [
        Reason(item["code"], item.get("params") or {})
        for item in stored
        if isinstance(item, Mapping) and item.get("code") in REASONS
    ]
