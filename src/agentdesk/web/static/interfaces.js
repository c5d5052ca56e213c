// Enterprise interfaces [接口管理] (R-EXT-1, R-EXT-2) in the operations console: register an
// interface (URL, time-out, optional auth header, private addresses), map it to tenants
// [字典值映射], and "Test" it with a sample param: the parsed answer, or the exact error.
//
// The list and the forms come from crud.js; the auth header value is write-only (the API never
// returns it, the form leaves it empty and an empty field keeps the stored value).
import { api, escapeHtml, t } from "/static/ad.js";
import { mountResource } from "/static/crud.js";
import { L, errorText } from "/static/crud-form.js";

const ENDPOINT = "/api/ops/interfaces";
const TYPES = {
  string: ["字符串", "String"],
  number: ["数字", "Number"],
  date: ["日期", "Date"],
  time: ["时间", "Time"],
  dictionary: ["数据字典", "Dictionary"],
};
const badge = (kind, text, attrs = "") => `<span class="badge ${kind}" ${attrs}>${escapeHtml(text)}</span>`;
let sequence = 0;

/** The parsed answer as one table per object: label (* when mandatory), shown value, type. */
export function answerHtml(objects) {
  if (!objects.length) return `<p class="muted" data-answer-empty>${escapeHtml(t("接口返回了空列表。", "The interface answered an empty list."))}</p>`;
  return objects
    .map(
      (object) => `<section class="answer-object" data-object="${escapeHtml(object.name)}">
      <h3>${escapeHtml(object.name)}</h3>
      <div class="table-wrap"><table class="grid"><thead><tr>
        <th scope="col">${escapeHtml(t("属性名", "Name"))}</th>
        <th scope="col">${escapeHtml(t("显示值", "Shown value"))}</th>
        <th scope="col">${escapeHtml(t("类型", "Type"))}</th>
      </tr></thead><tbody>${object.fields
        .map(
          (f) => `<tr data-label="${escapeHtml(f.label)}">
            <th scope="row">${escapeHtml(f.label)}${f.mandatory ? `<span class="req" title="${escapeHtml(t("必填", "Mandatory"))}">*</span>` : ""}</th>
            <td data-display>${escapeHtml(f.display)}${f.masked ? ` ${badge("", t("掩码", "masked"))}` : ""}</td>
            <td>${escapeHtml(L(TYPES[f.type] || f.type))}</td></tr>`,
        )
        .join("")}</tbody></table></div></section>`,
    )
    .join("");
}

function outcomeHtml(outcome) {
  const meta = [];
  if (outcome.status !== null && outcome.status !== undefined) meta.push(`HTTP ${outcome.status}`);
  if (outcome.elapsed_ms !== null && outcome.elapsed_ms !== undefined) meta.push(`${outcome.elapsed_ms} ms`);
  const line = meta.length ? `<p class="answer-meta" data-answer-meta>${escapeHtml(meta.join(" · "))}</p>` : "";
  if (!outcome.ok) {
    return `<div class="answer-error" role="alert" data-answer-error><strong>${escapeHtml(t("调用失败", "The call failed"))}:</strong> ${escapeHtml(outcome.error)}</div>${line}`;
  }
  return `${badge("ok", t("调用成功，应答符合规范", "Call succeeded, the answer follows the rules"), "data-answer-ok")}${line}${answerHtml(outcome.objects)}`;
}

/** "Test" [测试]: call the interface with a sample param and show what comes back. */
function openTest(item) {
  const dialog = document.createElement("dialog");
  const id = `answer-dlg-${++sequence}`;
  dialog.className = "answer-dialog";
  dialog.setAttribute("aria-labelledby", id);
  dialog.innerHTML = `<h2 id="${id}">${escapeHtml(t(`测试接口：${item.name}`, `Test interface: ${item.name}`))}</h2>
    <p class="muted">${escapeHtml(t(
      '以 POST 发送 {"param": 示例号码}，按接口规范解析应答并按掩码显示。',
      'Sends POST {"param": sample number}, checks the answer against the interface rules and shows it masked.',
    ))}</p>
    <form class="answer-form form" novalidate>
      <div class="field"><label for="${id}-param">${escapeHtml(t("示例参数 (param)", "Sample param"))}</label>
        <input id="${id}-param" name="param" value="13800000001" maxlength="64" inputmode="tel" required></div>
      <button type="submit" class="primary">${escapeHtml(t("调用", "Call"))}</button>
    </form>
    <div class="answer-result" aria-live="polite"></div>
    <div class="dialog-actions"><button type="button" data-close>${escapeHtml(t("关闭", "Close"))}</button></div>`;
  document.body.append(dialog);
  dialog.addEventListener("close", () => dialog.remove());
  dialog.querySelector("[data-close]").addEventListener("click", () => dialog.close());
  const result = dialog.querySelector(".answer-result");
  const form = dialog.querySelector("form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button");
    const param = form.param.value.trim();
    if (!param) {
      result.innerHTML = `<div class="answer-error" role="alert">${escapeHtml(t("请输入示例参数", "Enter a sample param"))}</div>`;
      return;
    }
    button.disabled = true;
    result.innerHTML = `<p class="muted">${escapeHtml(t("正在调用…", "Calling…"))}</p>`;
    try {
      result.innerHTML = outcomeHtml(await api("POST", `${ENDPOINT}/${item.id}/test`, { param }));
    } catch (err) {
      result.innerHTML = `<div class="answer-error" role="alert">${escapeHtml(errorText(err))}</div>`;
    } finally {
      button.disabled = false;
    }
  });
  dialog.showModal();
  form.param.select();
}

function tenantNames(item, ctx) {
  const tenants = ctx.sources.tenants || [];
  if (!item.tenant_ids.length) return `<span class="muted">${escapeHtml(t("未映射", "Not mapped"))}</span>`;
  return item.tenant_ids
    .map((id) => {
      const tenant = tenants.find((x) => x.id === id);
      return badge("", tenant ? `${tenant.name} (${tenant.code})` : `#${id}`, `data-tenant="${id}"`);
    })
    .join(" ");
}

mountResource(document.getElementById("resource"), {
  endpoint: ENDPOINT,
  title: ["接口管理", "Interfaces"],
  noun: ["接口", "interface"],
  intro: [
    '企业的客户查询接口：座席接听来话时，自定义页面以 POST {"param": 主叫号码} 调用它并展示应答。接口须映射给租户（字典值映射）后，租户才能在页面配置中选择它。',
    'An enterprise\'s customer-query interface: when an agent answers a call, a custom page calls it with POST {"param": caller number} and shows the answer. Tenants can choose an interface in their custom pages only once it is mapped to them [字典值映射].',
  ],
  empty: ["还没有接口。", "No interfaces yet."],
  sources: { tenants: "/api/ops/tenants" },
  columns: [
    { key: "name", label: ["名称", "Name"] },
    { key: "url", label: ["地址", "URL"], render: (i) => `<span class="kv">${escapeHtml(i.url)}</span>` },
    { key: "timeout_ms", label: ["超时(毫秒)", "Time-out (ms)"] },
    {
      key: "auth_header_name", label: ["鉴权头", "Auth header"],
      render: (i) => (i.auth_header_name
        ? `<span class="kv">${escapeHtml(i.auth_header_name)}</span> ${i.auth_header_set ? badge("ok", t("已设置", "set"), "data-auth-set") : badge("warn", t("未设置", "not set"))}`
        : `<span class="muted">${escapeHtml(t("无", "None"))}</span>`),
    },
    {
      key: "allow_private", label: ["允许内网地址", "Private addresses"],
      render: (i) => (i.allow_private ? badge("warn", t("允许", "Allowed")) : `<span class="muted">${escapeHtml(t("否", "No"))}</span>`),
    },
    { key: "tenant_ids", label: ["映射租户", "Mapped tenants"], render: tenantNames },
    { key: "description", label: ["描述", "Description"] },
  ],
  fields: [
    { name: "name", label: ["名称", "Name"], hint: ["租户看到的名称，平台内唯一", "The name tenants see; unique on the platform"] },
    {
      name: "url", label: ["接口地址", "URL"], widget: "text",
      placeholder: ["https://crm.example.com/rest/v1/queryCustomer", "https://crm.example.com/rest/v1/queryCustomer"],
      hint: ["http(s) 地址；仅支持 POST，不跟随重定向", "An http(s) URL; called with POST, redirects are not followed"],
    },
    { name: "timeout_ms", label: ["超时时间(毫秒)", "Time-out (ms)"] },
    {
      name: "auth_header_name", label: ["鉴权消息头名称（可选）", "Auth header name (optional)"], widget: "text",
      placeholder: ["X-Api-Key", "X-Api-Key"], hint: ["每次调用都携带该消息头", "Sent with every call"],
    },
    {
      name: "auth_header_value", label: ["鉴权消息头取值", "Auth header value"], widget: "password",
      hint: ["只写不读：保存后不再显示；编辑时留空则不修改", "Write-only: never shown again; leave empty when editing to keep it"],
      showIf: (values) => Boolean(values.auth_header_name),
    },
    {
      name: "allow_private", label: ["允许访问内网/本机地址", "Allow private / loopback addresses"],
      hint: ["仅用于部署在内网的接口；默认只访问公网地址", "Only for interfaces on an internal network; by default only public addresses are called"],
    },
    {
      name: "tenant_ids", label: ["映射租户（字典值映射）", "Mapped tenants [字典值映射]"], multiple: true,
      source: { name: "tenants", label: (tenant) => `${tenant.name} (${tenant.code})` },
      emptyLabel: ["还没有租户", "No tenants yet"],
      hint: ["只有映射的租户能在页面配置中选择该接口", "Only mapped tenants can choose it in their custom pages"],
    },
    { name: "description", label: ["描述", "Description"], widget: "text" },
  ],
  defaults: () => ({ timeout_ms: 3000, tenant_ids: [] }),
  actions: [{ label: ["测试", "Test"], run: (item) => openTest(item) }],
});
