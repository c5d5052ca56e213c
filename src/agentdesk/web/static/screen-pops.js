// Screen pop configuration [弹屏配置] (R-POP): the pop pages of the two tabs, their URL
// parameters [配置参数], the page check (whitelist, reachability, framing, HTTPS) and "try it"
// [测试弹屏], which asks the server exactly what the workbench would open for a sample call and
// opens it the same way the workbench does.
//
// The list, the create/edit dialogs and the delete confirmation come from crud.js; field rules
// come from the API's OpenAPI schema, refusals (422) are shown next to the fields they name.
import { api, escapeHtml, t } from "/static/ad.js";
import { ResourceManager, confirmDialog, formDialog, openApi } from "/static/crud.js";
import { FieldSet, L, bodySchema, errorText, mergeField, placeErrors } from "/static/crud-form.js";
import { BLOCKED_REASONS, checkAdviceTexts, checkReasonText } from "/static/check-codes.js";

const ENDPOINT = "/api/config/screen-pops";
const TABS = { audio_video: ["音视频", "Audio-video"], multimedia: ["多媒体", "Multimedia"] };
const PAGE_TYPES = { external: ["外部页面", "External page"], internal: ["内部页面", "Internal page"] };
const OPEN_MODES = { embed: ["嵌入", "Embedded"], independent: ["独立打开", "Independent window"] };
const INTEGRATIONS = { get: ["URL GET", "URL GET"], post: ["URL POST", "URL POST"], webapi: ["Web API", "Web API"] };
const SOURCES = { call_data: ["呼叫数据", "Call data"], attached_data: ["随路数据", "Attached data"] };
const NOT_WHITELISTED = BLOCKED_REASONS.not_whitelisted;
const ASK_OPS = ["请联系运营管理员将其加入地址白名单。", "Ask the operations admin to add it to the address whitelist."];
const SANDBOX = "allow-scripts allow-forms allow-same-origin allow-popups";

const label = (labels, value) => escapeHtml(labels[value] ? L(labels[value]) : value ?? "");
const badge = (kind, text, attrs = "") => `<span class="badge ${kind}" ${attrs}>${escapeHtml(text)}</span>`;
let sequence = 0;

// ---- dialogs of this page ------------------------------------------------------------------

function popDialog(title) {
  const dialog = document.createElement("dialog");
  dialog.className = "pop-dialog";
  const id = `pop-dlg-${++sequence}`;
  dialog.setAttribute("aria-labelledby", id);
  dialog.innerHTML = `<h2 id="${id}">${escapeHtml(L(title))}</h2><div class="pop-dialog-body"></div>`;
  document.body.append(dialog);
  dialog.addEventListener("close", () => dialog.remove());
  return { dialog, body: dialog.querySelector(".pop-dialog-body") };
}

function lastFormDialog() {
  return [...document.querySelectorAll("dialog.form-dialog")].at(-1);
}

function clearErrors(form) {
  form.querySelectorAll("[data-error]").forEach((el) => (el.textContent = ""));
  form.querySelectorAll(".invalid").forEach((el) => el.classList.remove("invalid"));
}

// ---- the check column ------------------------------------------------------------------------

function checkHtml(p) {
  const badges = [];
  const lines = [];
  if (!p.whitelisted) {
    badges.push(badge("bad", t("不在地址白名单中", "not in the address whitelist"), 'data-check="whitelist"'));
    lines.push(`<span class="reason">${escapeHtml(L(ASK_OPS))}</span>`);
    return `<div class="check-cell" data-check-cell><div class="badges">${badges.join("")}</div>${lines.join("")}</div>`;
  }
  badges.push(badge("ok", t("在白名单中", "whitelisted"), 'data-check="whitelist"'));
  const r = p.check_result;
  if (p.page_type !== "external") {
    lines.push(`<span class="reason">${escapeHtml(t("内部页面无需检查", "Internal pages are not checked"))}</span>`);
  } else if (!r) {
    badges.push(badge("", t("尚未检查", "not checked yet"), 'data-check="pending"'));
  } else {
    badges.push(
      r.reachable
        ? badge(r.status >= 400 ? "warn" : "ok", t(`可访问 (HTTP ${r.status})`, `reachable (HTTP ${r.status})`), 'data-check="reachable"')
        : badge("bad", t("无法访问", "unreachable"), 'data-check="reachable"'),
    );
    const framing = {
      allowed: ["ok", t("允许嵌入", "framing allowed")],
      forbidden: ["bad", t("禁止嵌入", "framing forbidden")],
    }[r.framing] || ["", t("嵌入情况未知", "framing unknown")];
    badges.push(badge(framing[0], framing[1], `data-check="framing" data-framing="${escapeHtml(r.framing)}"`));
    badges.push(r.https ? badge("ok", "HTTPS", 'data-check="https"') : badge("warn", t("非 HTTPS", "not HTTPS"), 'data-check="https"'));
    if (r.error) lines.push(`<span class="reason" data-check-error>${escapeHtml(r.error)}</span>`);
    const reason = checkReasonText(r, L);
    if (reason) lines.push(`<span class="reason" data-check-reason>${escapeHtml(reason)}</span>`);
    const advice = checkAdviceTexts(r, L);
    if (advice.length) {
      lines.push(`<span>${escapeHtml(t("建议", "Advice"))}:</span><ul data-check-advice>${advice
        .map((a) => `<li>${escapeHtml(a)}</li>`)
        .join("")}</ul>`);
    }
    if (r.checked_at) {
      lines.push(`<span class="muted">${escapeHtml(t("检查时间", "Checked"))}: ${escapeHtml(new Date(r.checked_at).toLocaleString())}</span>`);
    }
  }
  return `<div class="check-cell" data-check-cell><div class="badges">${badges.join("")}</div>${lines.join("")}</div>`;
}

function paramSummary(p) {
  if (p.integration === "webapi") return t("数据通过 AICCSupport.js 事件传递", "data via AICCSupport.js events");
  if (!p.param_count) return t("默认参数", "default parameters");
  return t(`${p.param_count} 个参数`, `${p.param_count} parameter${p.param_count === 1 ? "" : "s"}`);
}

// ---- the pop page form ---------------------------------------------------------------------

const PAGE_FIELDS = [
  { name: "name", label: ["页面名称", "Page name"] },
  {
    name: "page_type", label: ["页面类型", "Page type"], labels: PAGE_TYPES, required: true,
    hint: ["内部页面：显示已发布的自定义页面（页面配置），仅音视频页签", "Internal page: a published custom page (Custom pages), audio/video tab only"],
  },
  {
    name: "custom_page_id", label: ["自定义页面", "Custom page"], source: { name: "customPages", label: (p) => p.name },
    filter: (p) => p.published, showIf: (v) => v.page_type === "internal",
    blankLabel: ["请选择已发布的页面", "Choose a published page"],
  },
  {
    name: "open_mode", label: ["打开方式", "Open mode"], labels: OPEN_MODES, required: true,
    hint: ["页面禁止被嵌入时请选择“独立打开”", "Choose independent mode when the page forbids framing"],
  },
  {
    name: "url", label: ["访问地址", "URL"], widget: "text", showIf: (v) => v.page_type !== "internal", placeholder: ["https://crm.example.com/customer", "https://crm.example.com/customer"],
    hint: ["http(s) 地址，须在地址白名单中；参数会自动追加", "An http(s) address in the address whitelist; the parameters are appended"],
  },
  {
    name: "integration", label: ["集成方式", "Integration"], labels: INTEGRATIONS, required: true, showIf: (v) => v.page_type !== "internal",
    hint: ["URL GET：参数附加在地址中；URL POST：以表单提交；Web API：通过 AICCSupport.js 交互", "URL GET: parameters in the query; URL POST: sent as a form; Web API: through AICCSupport.js"],
  },
  { name: "enabled", label: ["启用", "Enabled"] },
  {
    name: "secret", label: ["签名密钥（可选）", "Signing secret (optional)"], widget: "password", showIf: (v) => v.page_type !== "internal",
    hint: ["设置后参数带 adk_ts 和 adk_sig（HMAC-SHA256）；密钥只写不读，留空则不修改", "When set, parameters carry adk_ts and adk_sig (HMAC-SHA256); write-only, leave empty to keep it unchanged"],
  },
];

/** The "signed" badge and the "stop signing" action inside the edit dialog. */
function decorateSecret(dialog, item, manager) {
  const field = dialog?.querySelector('[data-field="secret"]');
  if (!field) return;
  const line = document.createElement("div");
  line.className = "signed-line";
  const render = (signed) => {
    line.innerHTML = signed
      ? `${badge("ok", t("已签名", "signed"), "data-signed")}<button type="button" class="danger" data-stop-signing>${escapeHtml(t("停止签名", "Stop signing"))}</button>`
      : badge("", t("未签名", "not signed"), "data-unsigned");
    line.querySelector("[data-stop-signing]")?.addEventListener("click", async () => {
      const ok = await confirmDialog(
        t("停止签名？密钥将被删除，页面此后收到的参数不再带签名。", "Stop signing? The secret is deleted and the page's parameters are no longer signed."),
        ["停止签名", "Stop signing"],
      );
      if (!ok) return;
      try {
        const saved = await api("DELETE", `${ENDPOINT}/${item.id}/secret`);
        item.signed = saved.signed;
        render(saved.signed);
        manager.status(`${t("已停止签名", "Signing stopped")}: ${item.name}`);
        await manager.load();
      } catch (err) {
        const slot = field.querySelector('[data-error="secret"]');
        if (slot) slot.textContent = errorText(err);
      }
    });
  };
  render(item.signed);
  field.append(line);
}

const SECRET_HINT_CREATE = [
  "设置后参数带 adk_ts 和 adk_sig（HMAC-SHA256），页面服务器可据此验证来源；密钥只写不读",
  "When set, parameters carry adk_ts and adk_sig (HMAC-SHA256) so the page's server can verify them; write-only",
];

// ---- the list ------------------------------------------------------------------------------

class PopPageManager extends ResourceManager {
  constructor(root, config, tab) {
    super(root, config);
    this.tab = tab;
    root.addEventListener("change", (event) => {
      const toggle = event.target.closest("[data-enabled-toggle]");
      if (toggle) this.setEnabled(Number(toggle.dataset.enabledToggle), toggle);
    });
  }

  listUrl() {
    return `${ENDPOINT}?tab=${encodeURIComponent(this.tab)}`;
  }

  async switchTab(tab) {
    this.tab = tab;
    this.items = [];
    this.status("");
    await this.load();
  }

  itemUrl(item) {
    return `${ENDPOINT}/${item.id}`;
  }

  fields(schema, mode) {
    const fields = super.fields(schema, mode);
    if (mode !== "create") return fields;
    return fields.map((f) => (f.name === "secret" ? { ...f, hint: SECRET_HINT_CREATE } : f));
  }

  actionCell(item) {
    const td = document.createElement("td");
    td.className = "actions";
    const index = this.items.findIndex((x) => x.id === item.id);
    const add = (text, action, handler, { className = "", disabled = false, title = "" } = {}) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = className;
      button.textContent = L(text);
      button.dataset.action = action;
      button.setAttribute("aria-label", `${L(text)} ${item.name}`);
      button.disabled = disabled;
      if (title) button.title = L(title);
      button.addEventListener("click", handler);
      td.append(button);
    };
    add(["编辑", "Edit"], "edit", () => this.openEdit(item));
    add(["配置", "Parameters"], "params", () => openParams(item, this), {
      disabled: item.page_type !== "external",
      title: item.page_type !== "external" ? ["只有外部页面可以配置参数", "Only external pages take parameters"] : "",
    });
    add(["上移", "Up"], "up", () => this.move(item, "up"), { disabled: index <= 0 });
    add(["下移", "Down"], "down", () => this.move(item, "down"), { disabled: index === this.items.length - 1 });
    add(["检查", "Check"], "check", (event) => this.check(item, event.currentTarget));
    add(["测试弹屏", "Try it"], "try", () => openTry(item, this));
    add(["删除", "Delete"], "delete", () => this.confirmDelete(item), { className: "danger" });
    return td;
  }

  focusAction(id, action) {
    const button = this.root.querySelector(`tr[data-id="${id}"] [data-action="${action}"]`);
    if (button && !button.disabled) button.focus();
    else this.root.querySelector(`tr[data-id="${id}"] [data-action="edit"]`)?.focus();
  }

  async move(item, direction) {
    try {
      await api("POST", `${ENDPOINT}/${item.id}/move`, { direction });
      await this.load();
      this.status(direction === "up" ? `${t("已上移", "Moved up")}: ${item.name}` : `${t("已下移", "Moved down")}: ${item.name}`);
      this.focusAction(item.id, direction);
    } catch (err) {
      this.status(errorText(err), true);
    }
  }

  async setEnabled(id, toggle) {
    const item = this.items.find((x) => x.id === id);
    toggle.disabled = true;
    try {
      const saved = await api("POST", `${ENDPOINT}/${id}/enabled`, { enabled: toggle.checked });
      await this.load();
      this.status(saved.enabled ? `${t("已启用", "Enabled")}: ${saved.name}` : `${t("已停用", "Disabled")}: ${saved.name}`);
      this.root.querySelector(`[data-enabled-toggle="${id}"]`)?.focus();
    } catch (err) {
      toggle.checked = !toggle.checked;
      toggle.disabled = false;
      this.status(`${item?.name ?? ""}: ${errorText(err)}`, true);
    }
  }

  async check(item, button) {
    if (button) button.disabled = true;
    this.status(t(`正在检查 ${item.name}…`, `Checking ${item.name}…`));
    try {
      await api("POST", `${ENDPOINT}/${item.id}/check`);
      await this.load();
      this.status(`${t("已检查", "Checked")}: ${item.name}`);
      this.focusAction(item.id, "check");
    } catch (err) {
      if (button) button.disabled = false;
      this.status(errorText(err), true);
    }
  }

  async openEdit(item) {
    const saving = formDialog({
      title: [`编辑弹屏页面 ${item.name}`, `Edit pop page ${item.name}`],
      fields: this.fields(this.ops.update, "edit"),
      item: { ...item, secret: "" },
      ctx: { ...this.ctx, mode: "edit", item },
      submit: (values) => api("PUT", this.itemUrl(item), this.prepare(values, "edit", item)),
    });
    decorateSecret(lastFormDialog(), item, this);
    const saved = await saving;
    if (saved) await this.afterSave(saved, t("已保存", "Saved"));
  }
}

// ---- parameters [配置参数] ------------------------------------------------------------------

async function paramForm(page, param, keys, onSaved) {
  const spec = await openApi();
  const schema = bodySchema(spec, `${ENDPOINT}/{page_id}/params`, "post");
  const fields = [
    {
      name: "name", label: ["弹屏URL传递参数", "URL parameter name"], placeholder: ["caller", "caller"],
      hint: ["页面收到的参数名：字母、数字、_ . -", "The name the page receives: letters, digits, _ . -"],
    },
    { name: "source", label: ["关联系统数据参数类型", "Source type"], labels: SOURCES, required: true },
    {
      name: "key_call", label: ["关联系统数据参数", "Source key"], widget: "select", required: true,
      options: keys.map((key) => ({ value: key, label: [key, key] })),
      hint: ["九个呼叫数据参数之一", "One of the nine call-data parameters"],
      showIf: (values) => values.source !== "attached_data",
    },
    {
      name: "key_attached", label: ["关联系统数据参数", "Source key"], widget: "text", required: true, maxLength: 64,
      placeholder: ["time", "time"],
      hint: ["随路数据的键（自定义），例如 time、address、ServiceID", "A key of the call's attached data (custom), e.g. time, address, ServiceID"],
      showIf: (values) => values.source === "attached_data",
    },
  ].map((f) => mergeField(f, schema));
  let source = "call_data";
  const item = param
    ? {
        name: param.name,
        source: param.source,
        key_call: param.source === "call_data" ? param.key : "",
        key_attached: param.source === "attached_data" ? param.key : "",
      }
    : {};
  const saved = await formDialog({
    title: param ? [`编辑参数 ${param.name}`, `Edit parameter ${param.name}`] : ["新增参数", "New parameter"],
    fields,
    item,
    saveLabel: ["提交", "Submit"],
    mapErrorField: (field) => (field === "key" ? (source === "attached_data" ? "key_attached" : "key_call") : field),
    submit: (values) => {
      const { key_call, key_attached, ...rest } = values;
      source = rest.source;
      const body = { ...rest, key: rest.source === "attached_data" ? key_attached : key_call };
      const url = `${ENDPOINT}/${page.id}/params${param ? `/${param.id}` : ""}`;
      return api(param ? "PUT" : "POST", url, body);
    },
  });
  if (saved) await onSaved(saved);
}

async function openParams(page, manager) {
  const { dialog, body } = popDialog([`配置参数：${page.name}`, `Parameters: ${page.name}`]);
  dialog.classList.add("params-dialog");
  body.innerHTML = `
    <p class="muted">${escapeHtml(t(
      "若不配置参数，页面接收九个默认参数；若配置，只传递配置的参数。参数值随每次呼叫变化。",
      "With no parameters configured the page receives the nine default parameters; once some are configured, exactly those are sent. Values change with each call.",
    ))}</p>
    <div class="toolbar-row"><span class="pop-limit" data-param-limit></span>
      <button type="button" class="primary" data-add-param>+ ${escapeHtml(t("新增参数", "New parameter"))}</button></div>
    <p class="limit-note" data-param-limit-note hidden></p>
    <p class="status" role="status" aria-live="polite"></p>
    <div class="table-wrap"><table class="grid"><caption class="sr-only">${escapeHtml(t("参数", "Parameters"))}</caption>
      <thead><tr>
        <th scope="col">${escapeHtml(t("弹屏URL传递参数", "URL parameter"))}</th>
        <th scope="col">${escapeHtml(t("关联系统数据参数类型", "Source type"))}</th>
        <th scope="col">${escapeHtml(t("关联系统数据参数", "Source key"))}</th>
        <th scope="col">${escapeHtml(t("操作", "Actions"))}</th>
      </tr></thead><tbody></tbody></table></div>
    <div class="dialog-actions"><button type="button" data-close>${escapeHtml(t("关闭", "Close"))}</button></div>`;
  const status = (text, bad = false) => {
    const el = body.querySelector(".status");
    el.textContent = text;
    el.classList.toggle("bad", bad);
  };
  let data = { items: [], total: 0, limit: 0, call_data_keys: [] };
  let changed = false;

  const render = () => {
    const full = data.total >= data.limit;
    body.querySelector("[data-param-limit]").innerHTML =
      `${escapeHtml(t("参数数", "Parameters"))}: <b data-count>${escapeHtml(`${data.total} / ${data.limit}`)}</b>`;
    const add = body.querySelector("[data-add-param]");
    const note = body.querySelector("[data-param-limit-note]");
    const reason = t(
      `已达到单个页面的参数上限（${data.limit} 个，系统参数“每个租户单个弹屏页面配置URL传递的最大参数数”）。`,
      `This page has reached its limit of ${data.limit} parameters (system parameter "max URL parameters per pop page").`,
    );
    add.disabled = full;
    add.title = full ? reason : "";
    note.hidden = !full;
    note.textContent = full ? reason : "";
    const tbody = body.querySelector("tbody");
    if (!data.items.length) {
      tbody.innerHTML = `<tr class="empty" data-defaults><td colspan="4">${escapeHtml(t(
        "未配置参数：将传递九个默认参数：",
        "None configured: the nine default parameters are sent:",
      ))} <span class="kv">${escapeHtml(data.call_data_keys.join(", "))}</span></td></tr>`;
      return;
    }
    tbody.innerHTML = "";
    for (const param of data.items) {
      const row = document.createElement("tr");
      row.dataset.id = param.id;
      row.innerHTML = `<td class="kv">${escapeHtml(param.name)}</td><td>${label(SOURCES, param.source)}</td>
        <td class="kv">${escapeHtml(param.key)}</td><td class="actions"></td>`;
      const cell = row.querySelector(".actions");
      const button = (text, className, handler) => {
        const b = document.createElement("button");
        b.type = "button";
        b.className = className;
        b.textContent = L(text);
        b.setAttribute("aria-label", `${L(text)} ${param.name}`);
        b.addEventListener("click", handler);
        cell.append(b);
      };
      button(["编辑", "Edit"], "", () => paramForm(page, param, data.call_data_keys, saved));
      button(["删除", "Delete"], "danger", () => remove(param));
      tbody.append(row);
    }
  };

  const load = async () => {
    try {
      data = await api("GET", `${ENDPOINT}/${page.id}/params`);
      render();
    } catch (err) {
      status(errorText(err), true);
    }
  };

  const saved = async (param) => {
    changed = true;
    await load();
    status(`${t("已保存", "Saved")}: ${param.name}`);
  };

  const remove = async (param) => {
    const ok = await confirmDialog(
      t(`确定删除参数“${param.name}”？`, `Delete parameter "${param.name}"?`),
    );
    if (!ok) return;
    try {
      await api("DELETE", `${ENDPOINT}/${page.id}/params/${param.id}`);
      changed = true;
      await load();
      status(`${t("已删除", "Deleted")}: ${param.name}`);
    } catch (err) {
      status(errorText(err), true);
    }
  };

  body.querySelector("[data-add-param]").addEventListener("click", () => paramForm(page, null, data.call_data_keys, saved));
  body.querySelector("[data-close]").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    if (changed) manager.load();
  });
  dialog.showModal();
  await load();
  body.querySelector("[data-add-param]:not(:disabled)")?.focus();
}

// ---- try it [测试弹屏] ------------------------------------------------------------------------

const SAMPLE_FIELDS = [
  { name: "callerNum", label: ["主叫号码 (callerNum)", "Caller number (callerNum)"] },
  { name: "calledNum", label: ["被叫号码 (calledNum)", "Called number (calledNum)"] },
  { name: "callid", label: ["会话ID (callid)", "Call ID (callid)"] },
  { name: "mediaType", label: ["媒体类型 (mediaType)", "Media type (mediaType)"], hint: ["1 音视频，5 多媒体文字交谈", "1 audio/video, 5 multimedia text chat"] },
  { name: "callType", label: ["呼叫类型 (callType)", "Call type (callType)"], hint: ["0 呼入，1 呼出", "0 inbound, 1 outbound"] },
  { name: "workNo", label: ["座席工号 (workNo)", "Agent work number (workNo)"] },
  { name: "callskill", label: ["技能队列 (callskill)", "Skill queue (callskill)"] },
  { name: "callskillid", label: ["技能队列编号 (callskillid)", "Skill queue id (callskillid)"] },
  { name: "agentName", label: ["座席业务帐号 (agentName)", "Agent account (agentName)"] },
];

/** key=value lines → object; returns [object, error text]. */
function parseAttached(text) {
  const out = {};
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  for (const [index, line] of lines.entries()) {
    const at = line.indexOf("=");
    const key = at > 0 ? line.slice(0, at).trim() : "";
    if (!key) {
      return [null, t(`第 ${index + 1} 行应为 key=value`, `Line ${index + 1} should be key=value`)];
    }
    out[key] = line.slice(at + 1).trim();
  }
  return [out, ""];
}

function sentTable(caption, pairs) {
  const rows = pairs.length
    ? pairs.map(([name, value]) => `<tr><td class="kv">${escapeHtml(name)}</td><td class="kv">${escapeHtml(value)}</td></tr>`).join("")
    : `<tr class="empty"><td colspan="2">${escapeHtml(t("（无）", "(none)"))}</td></tr>`;
  return `<div class="table-wrap"><table class="grid" data-sent><caption>${escapeHtml(L(caption))}</caption>
    <thead><tr><th scope="col">${escapeHtml(t("参数", "Name"))}</th><th scope="col">${escapeHtml(t("值", "Value"))}</th></tr></thead>
    <tbody>${rows}</tbody></table></div>`;
}

/** A hidden form POSTed into `target` (a frame or window name), as the workbench does. */
function postInto(container, action, fields, target) {
  const form = document.createElement("form");
  form.method = "POST";
  form.action = action;
  form.target = target;
  form.hidden = true;
  for (const [name, value] of fields) {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.append(input);
  }
  container.append(form);
  form.submit();
  form.remove();
}

function renderPreview(result, page, pop, sample = {}) {
  result.innerHTML = "";
  result.dataset.status = pop.status;
  if (pop.status !== "open") {
    const blocked = !page.whitelisted || BLOCKED_REASONS[pop.reason_code] === NOT_WHITELISTED;
    const reason = blocked ? `${L(NOT_WHITELISTED)}. ${L(ASK_OPS)}` : pop.reason;
    result.innerHTML = `<h3>${escapeHtml(t("结果", "Result"))}</h3>
      <p class="form-error pop-blocked" data-blocked>${escapeHtml(t("不会打开", "Will not open"))}: ${escapeHtml(reason)}</p>`;
    return;
  }
  const parts = [`<h3>${escapeHtml(t("将发送的内容", "What the workbench sends"))}</h3>`];
  if (pop.integration === "webapi") {
    parts.push(`<p>${escapeHtml(t("地址", "URL"))}: <code class="kv final-url" data-final-url>${escapeHtml(pop.url)}</code></p>
      <p class="muted">${escapeHtml(t("Web API 页面不通过地址接收参数：呼叫数据通过 AICCSupport.js 的事件送达。", "Web API pages receive no URL parameters: call data arrives as AICCSupport.js events."))}</p>`);
  } else if (pop.method === "POST") {
    parts.push(`<p>POST ${escapeHtml(t("到", "to"))} <code class="kv final-url" data-final-url>${escapeHtml(pop.url)}</code>
      <span class="muted">(application/x-www-form-urlencoded)</span></p>`);
    parts.push(sentTable(["表单字段", "Form fields"], pop.fields));
  } else {
    let query = [];
    try {
      query = [...new URL(pop.url).searchParams];
    } catch {
      query = [];
    }
    parts.push(`<p>GET <code class="kv final-url" data-final-url>${escapeHtml(pop.url)}</code></p>`);
    parts.push(sentTable(["查询参数（已解码）", "Query parameters (decoded)"], query));
  }
  parts.push(`<h3>${escapeHtml(t("页面", "Page"))}</h3>`);
  if (page.check_result?.framing === "forbidden" && pop.open_mode === "embed") {
    parts.push(`<p class="form-error">${escapeHtml(t(
      "检查结果显示该页面禁止被嵌入，下面的框架可能无法显示；建议改为独立打开。",
      "The check found that this page forbids framing, so the frame below may stay empty; use independent mode.",
    ))}</p>`);
  }
  result.innerHTML = parts.join("");
  const name = `try-frame-${page.id}-${++sequence}`;
  if (pop.open_mode === "independent") {
    const note = document.createElement("p");
    note.className = "muted";
    note.textContent = t("座席工作台会在独立窗口中打开此页面。", "The workbench opens this page in its own window.");
    const open = document.createElement("button");
    open.type = "button";
    open.dataset.openWindow = "";
    open.textContent = t("在独立窗口中打开", "Open in its own window");
    open.addEventListener("click", () => {
      const win = window.open("", `agentdesk-try-${page.id}`);
      if (!win) {
        note.textContent = t("浏览器拦截了弹出窗口：请允许本站点弹出窗口。", "The browser blocked the pop-up window: allow pop-ups for this site.");
        note.className = "form-error";
        return;
      }
      win.opener = null;
      if (pop.method === "POST") postInto(result, pop.url, pop.fields, `agentdesk-try-${page.id}`);
      else win.location.href = pop.url;
    });
    result.append(note, open);
    return;
  }
  const frame = document.createElement("iframe");
  frame.name = name;
  frame.title = `${t("测试弹屏", "Try it")}: ${page.name}`;
  frame.setAttribute("sandbox", SANDBOX);
  frame.referrerPolicy = "strict-origin-when-cross-origin";
  const loaded = document.createElement("p");
  loaded.className = "muted";
  loaded.setAttribute("role", "status");
  loaded.textContent = t("正在加载…", "Loading…");
  const onLoad = () => {
    frame.dataset.loaded = "true";
    loaded.textContent = t("页面已加载。", "Page loaded.");
  };
  if (pop.method === "GET") {
    frame.addEventListener("load", onLoad);
    frame.src = pop.url;
    result.append(loaded, frame);
    if (pop.integration === "webapi") sdkConsole(result, frame, pop, sample);
  } else {
    result.append(loaded, frame);
    postInto(result, pop.url, pop.fields, name);
    frame.addEventListener("load", onLoad);
  }
}

// "Try it" for Web API pages: this dialog plays the workbench for AICCSupport.js in the frame,
// with the same protocol and origin checks, and shows every message both ways.
const SDK_PROTOCOL = "agentdesk-sdk/1";
let sdkListener = null;

function sdkConsole(result, frame, pop, sample) {
  const box = document.createElement("section");
  box.className = "sdk-console";
  box.innerHTML = `<h3>${escapeHtml(t("触发事件", "Fire events"))}</h3>
    <div class="toolbar-row">${["Init", "Ringing", "Talking", "Release"]
      .map((name) => `<button type="button" data-fire="${name}">${name}</button>`)
      .join("")}</div>
    <table class="grid sdk-log"><caption>${escapeHtml(t("消息记录", "Messages"))}</caption>
      <thead><tr><th>${escapeHtml(t("方向", "Direction"))}</th><th>${escapeHtml(t("消息", "Message"))}</th></tr></thead>
      <tbody></tbody></table>`;
  result.append(box);
  const rows = box.querySelector("tbody");
  let seq = 0;
  const logRow = (direction, message) => {
    const row = document.createElement("tr");
    row.dataset.direction = direction;
    row.innerHTML = `<td>${escapeHtml(direction === "out" ? t("工作台 → 页面", "workbench → page") : t("页面 → 工作台", "page → workbench"))}</td>
      <td><code>${escapeHtml(JSON.stringify(message))}</code></td>`;
    rows.append(row);
  };
  const send = (message) => {
    const full = { protocol: SDK_PROTOCOL, ...message };
    frame.contentWindow.postMessage(full, pop.page_origin);
    logRow("out", full);
  };
  const eventData = (name) =>
    name === "Init"
      ? { workNo: String(sample.workNo ?? "") }
      : {
          callerNum: sample.callerNum, calledNum: sample.calledNum, callid: sample.callid,
          mediaType: sample.mediaType === "1" ? "audio" : sample.mediaType, callType: sample.callType,
          workNo: String(sample.workNo ?? ""), calldata: JSON.stringify(sample.calldata || {}), seq: ++seq,
        };
  box.querySelectorAll("[data-fire]").forEach((button) =>
    button.addEventListener("click", () => {
      const data = eventData(button.dataset.fire);
      send({ type: "event", name: button.dataset.fire, seq: data.seq ?? 0, data });
    }),
  );
  if (sdkListener) window.removeEventListener("message", sdkListener);
  sdkListener = (event) => {
    if (event.source !== frame.contentWindow || event.origin !== pop.page_origin) return;
    if (!event.data || event.data.protocol !== SDK_PROTOCOL) return;
    logRow("in", event.data);
    if (event.data.type === "hello") {
      send({ type: "welcome", workbench: "audio_video" });
      send({ type: "event", name: "Init", seq: 0, data: eventData("Init") });
    } else if (event.data.type === "clickToOutbound") {
      send({
        type: "result", id: event.data.id,
        outcome: { ok: false, code: "preview", message: t("测试弹屏中不会真正外呼", "Try it places no call") },
      });
    }
  };
  window.addEventListener("message", sdkListener);
}

async function openTry(page, manager) {
  const spec = await openApi();
  const schema = bodySchema(spec, `${ENDPOINT}/{page_id}/preview`, "post");
  const fields = [
    ...SAMPLE_FIELDS.map((f) => (f.name === "mediaType" && page.tab === "multimedia" ? { ...f, initial: "5" } : f)),
    {
      name: "calldata_text", label: ["随路数据（每行一个 key=value）", "Attached data (one key=value per line)"], widget: "textarea",
      rows: 3, placeholder: ["time=2024-01-01 10:00", "time=2024-01-01 10:00"],
    },
  ].map((f) => mergeField(f, schema));
  const { dialog, body } = popDialog([`测试弹屏：${page.name}`, `Try it: ${page.name}`]);
  dialog.classList.add("try-dialog");
  body.innerHTML = `
    <dl class="try-summary">
      <dt>${escapeHtml(t("访问地址", "URL"))}</dt><dd class="kv">${escapeHtml(page.url)}</dd>
      <dt>${escapeHtml(t("集成方式", "Integration"))}</dt><dd>${label(INTEGRATIONS, page.integration)} · ${label(OPEN_MODES, page.open_mode)}${page.signed ? ` · ${badge("ok", t("已签名", "signed"))}` : ""}</dd>
    </dl>
    ${page.whitelisted ? "" : `<p class="form-error" data-not-whitelisted>${escapeHtml(L(NOT_WHITELISTED))}. ${escapeHtml(L(ASK_OPS))}</p>`}
    <p class="muted">${escapeHtml(t("编辑样例呼叫，然后点击“打开”：显示座席工作台将为这通呼叫发送的内容，并像工作台一样打开页面。", "Edit the sample call, then press Open: you see exactly what the workbench would send for this call, and the page opens as it would in the workbench."))}</p>
    <form class="form" novalidate>
      <div class="form-body"></div>
      <p class="form-error" data-error="_form" role="alert"></p>
      <div class="dialog-actions">
        <button type="button" data-close>${escapeHtml(t("关闭", "Close"))}</button>
        <button type="submit" class="primary">${escapeHtml(t("打开", "Open"))}</button>
      </div>
    </form>
    <section class="try-result" aria-live="polite"></section>`;
  const form = body.querySelector("form");
  const set = new FieldSet(form, fields, { sources: {} });
  set.render(form.querySelector(".form-body"));
  set.fill({});
  const result = body.querySelector(".try-result");
  body.querySelector("[data-close]").addEventListener("click", () => dialog.close());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const { calldata_text: text, ...call } = set.values();
    const [calldata, problem] = parseAttached(text || "");
    if (problem) {
      form.querySelector('[data-error="calldata_text"]').textContent = problem;
      form.querySelector('[name="calldata_text"]').classList.add("invalid");
      return;
    }
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      const pop = await api("POST", `${ENDPOINT}/${page.id}/preview`, { ...call, calldata });
      renderPreview(result, page, pop, { ...call, calldata });
    } catch (err) {
      placeErrors(form, err, fields, (field) => (field.startsWith("calldata") ? "calldata_text" : field));
      if (!(err?.status === 422)) manager.status(errorText(err), true);
    } finally {
      button.disabled = false;
    }
  });
  dialog.showModal();
  form.querySelector('button[type="submit"]').focus();
}

// ---- the page ------------------------------------------------------------------------------

const section = document.getElementById("screen-pops");
const root = document.getElementById("resource");
const tabs = [...section.querySelectorAll('[role="tab"]')];
const panel = document.getElementById("pop-tabpanel");

const manager = new PopPageManager(
  root,
  {
    endpoint: ENDPOINT,
    title: ["弹屏配置", "Screen pop"],
    sort: (a, b) => a.position - b.position,
    limit: {
      id: "pop",
      label: ["本页签页面数", "Pages on this tab"],
      reason: (n) => [
        `已达到本页签的弹屏页面上限（${n} 个，系统参数“每个租户配置的最大弹屏页面数”）。请先删除页面，或联系运营管理员调整该参数。`,
        `This tab has reached its limit of ${n} pop pages (system parameter "max pop pages per tenant"). Delete a page first, or ask the operations admin to raise the limit.`,
      ],
    },
    sources: { customPages: "/api/config/custom-pages" },
    noun: ["弹屏页面", "pop page"],
    idKey: "id",
    nameKey: "name",
    pageSize: 50,
    empty: ["本页签还没有弹屏页面。", "No pop pages on this tab yet."],
    columns: [
      { key: "position", label: ["序号", "#"], render: (p) => `<span data-position>${escapeHtml(p.position)}</span>` },
      { key: "name", label: ["页面名称", "Name"], render: (p) => `<span data-name>${escapeHtml(p.name)}</span>` },
      {
        key: "url", label: ["访问地址", "URL"],
        render: (p, ctx) => p.page_type === "internal"
          ? `<span class="pop-url">${escapeHtml(t("自定义页面", "Custom page"))}: ${escapeHtml((ctx?.sources?.customPages || []).find((c) => c.id === p.custom_page_id)?.name ?? `#${p.custom_page_id}`)}</span>`
          : `<span class="kv pop-url">${escapeHtml(p.url)}</span>`,
      },
      { key: "tab", label: ["媒体类型", "Media type"], labels: TABS },
      { key: "page_type", label: ["页面类型", "Page type"], labels: PAGE_TYPES },
      { key: "open_mode", label: ["打开方式", "Open mode"], labels: OPEN_MODES },
      {
        key: "integration", label: ["集成方式", "Integration"],
        render: (p) => `${label(INTEGRATIONS, p.integration)}${p.signed ? ` ${badge("ok", t("已签名", "signed"), "data-signed")}` : ""}
          <br><small class="muted" data-param-count>${escapeHtml(paramSummary(p))}</small>`,
      },
      {
        key: "enabled", label: ["是否启用", "Enabled"],
        render: (p) => `<label class="pop-switch"><input type="checkbox" role="switch" data-enabled-toggle="${p.id}" ${p.enabled ? "checked" : ""}
          aria-label="${escapeHtml(`${t("启用", "Enabled")} ${p.name}`)}"><span>${escapeHtml(p.enabled ? t("已启用", "On") : t("已停用", "Off"))}</span></label>`,
      },
      { key: "check_result", label: ["检查结果", "Check"], render: (p) => checkHtml(p) },
    ],
    fields: PAGE_FIELDS,
    prepare: (values, mode, item) => ({ ...values, tab: item?.tab ?? manager.tab }),
  },
  section.dataset.tab,
);

function selectTab(tab, focus = false) {
  for (const button of tabs) {
    const selected = button.dataset.tab === tab;
    button.setAttribute("aria-selected", String(selected));
    button.tabIndex = selected ? 0 : -1;
    if (selected) {
      panel.setAttribute("aria-labelledby", button.id);
      if (focus) button.focus();
    }
  }
  const url = new URL(location.href);
  url.searchParams.set("tab", tab);
  history.replaceState(null, "", url);
  section.dataset.tab = tab;
  manager.switchTab(tab);
}

tabs.forEach((button, index) => {
  button.addEventListener("click", () => {
    if (button.getAttribute("aria-selected") !== "true") selectTab(button.dataset.tab);
  });
  button.addEventListener("keydown", (event) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (!step) return;
    event.preventDefault();
    selectTab(tabs[(index + step + tabs.length) % tabs.length].dataset.tab, true);
  });
});

manager.start();
