// Codes of the page check's results (reasons and advice) in both languages: the same codes and
// the same texts as config_center/screenpop/checkcodes.py (a unit test keeps them in step).
// A reason is {code, params}; its text has {name} where a parameter goes.
// Used by the screen-pop configuration page and the try-it console.

/** code -> [zh, en] */
export const CHECK_REASONS = {
  csp_forbids_all: ["Content-Security-Policy frame-ancestors {sources} 禁止在任何框架中嵌入该页面。", "Content-Security-Policy frame-ancestors {sources} forbids embedding this page in any frame."],
  csp_excludes_workbench: ["Content-Security-Policy frame-ancestors {sources} 不允许工作台的源 {workbench} 嵌入。", "Content-Security-Policy frame-ancestors {sources} does not allow the workbench origin {workbench}."],
  csp_allows_workbench: ["Content-Security-Policy frame-ancestors 允许工作台的源 {workbench} 嵌入（有 frame-ancestors 时浏览器忽略 X-Frame-Options）。", "Content-Security-Policy frame-ancestors allows the workbench origin {workbench} (X-Frame-Options, if any, is ignored when frame-ancestors is present)."],
  no_framing_rule: ["页面既没有 Content-Security-Policy frame-ancestors，也没有 X-Frame-Options 限制嵌入。", "Neither Content-Security-Policy frame-ancestors nor X-Frame-Options restricts framing."],
  report_only_ignored: ["Content-Security-Policy-Report-Only 中的 frame-ancestors 只报告，不拦截。", "A Content-Security-Policy-Report-Only frame-ancestors only reports; it blocks nothing."],
  xfo_conflicting: ["X-Frame-Options 的取值相互冲突（{values}），浏览器因此拒绝嵌入该页面。", "X-Frame-Options has conflicting values ({values}); browsers then refuse to embed the page."],
  xfo_unrecognised: ["X-Frame-Options 有多个无法识别的取值（{values}），浏览器忽略它并嵌入该页面。", "X-Frame-Options has several unrecognised values ({values}); browsers ignore it and embed the page."],
  xfo_deny: ["X-Frame-Options: DENY 禁止在任何框架中嵌入该页面。", "X-Frame-Options: DENY forbids embedding this page in any frame."],
  xfo_sameorigin_same: ["X-Frame-Options: SAMEORIGIN，且页面与工作台同源。", "X-Frame-Options: SAMEORIGIN, and the page has the workbench's origin."],
  xfo_sameorigin_other: ["X-Frame-Options: SAMEORIGIN 只允许 {page} 上的框架嵌入；工作台的源是 {workbench}。", "X-Frame-Options: SAMEORIGIN allows only frames on {page}; the workbench origin is {workbench}."],
  xfo_allow_from: ["X-Frame-Options: ALLOW-FROM 已废弃，当前浏览器（Chrome、Edge、Firefox）会忽略它，因此页面可以嵌入；如需限制嵌入，请改用 Content-Security-Policy frame-ancestors。", "X-Frame-Options: ALLOW-FROM is obsolete and ignored by current browsers (Chrome, Edge, Firefox), so the page can be embedded; to restrict framing use Content-Security-Policy frame-ancestors instead."],
  xfo_invalid: ["X-Frame-Options 的取值 '{value}' 无效，浏览器会忽略它（Chrome 忽略未知取值），因此页面可以嵌入。", "X-Frame-Options value '{value}' is invalid and ignored by browsers (Chrome ignores unknown values), so the page can be embedded."],
  mixed_content: ["但工作台通过 HTTPS 提供，浏览器会拦截其中的 http:// 页面（混合内容）。", "But the workbench is served over HTTPS, so browsers block this http:// page inside it (mixed content)."],
  http_status: ["页面返回 HTTP {status}。", "The page answered HTTP {status}."],
  url_unchecked: ["无法检查该地址。", "The URL cannot be checked."],
  redirect_refused: ["页面未继续获取：它跳转到不在地址白名单中的地址，检查只访问白名单中的地址。", "The page was not fetched further: it redirects to an address that is not in the address whitelist, and the check visits whitelisted addresses only."],
  address_not_public: ["页面未获取：其地址不是公网地址（白名单条目可允许页面检查访问该条目的私有地址）。", "The page was not fetched: its address is not public (a whitelist entry can allow private addresses of that entry for page checks)."],
  unreachable: ["AgentDesk 服务器无法获取该页面。", "The page could not be fetched from the AgentDesk server."],
  too_many_redirects: ["页面跳转次数过多，无法检查。", "The page redirects too many times to be checked."],
};

/** code -> [zh, en]: what the admin should do. */
export const CHECK_ADVICE = {
  use_independent_mode: ["该页面禁止被嵌入：请将打开方式改为“独立打开”。", "The page forbids framing: use independent mode (open it in its own window)."],
  serve_https: ["请通过 HTTPS 提供该页面。", "Serve the page over HTTPS."],
  use_final_address: ["请直接填写页面跳转后的最终地址。", "Point the page URL at its final address."],
};

/** Why a pop will not open, by PopInstruction.reason_code. */
export const BLOCKED_REASONS = {
  not_whitelisted: ["不在地址白名单中", "not in the address whitelist"],
};

const fill = (template, params = {}) =>
  template.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));

/** The reasons of a check result in the language `pick` chooses ([zh, en] -> text); a result
 * stored before codes existed (or with a code this page does not know) keeps the server's text. */
export function checkReasonText(result, pick) {
  const codes = result?.reason_codes;
  if (!Array.isArray(codes) || !codes.every((r) => CHECK_REASONS[r?.code])) return result?.reason ?? "";
  return codes.map((r) => fill(pick(CHECK_REASONS[r.code]), r.params)).join(" ");
}

/** The advice of a check result, one text per item (same fallback as checkReasonText). */
export function checkAdviceTexts(result, pick) {
  const codes = result?.advice_codes;
  if (!Array.isArray(codes) || !codes.every((c) => CHECK_ADVICE[c])) return result?.advice ?? [];
  return codes.map((c) => pick(CHECK_ADVICE[c]));
}
