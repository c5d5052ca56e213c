// Screen pop configuration [弹屏配置] (R-POP): the pop pages of the two tabs and the page check
// (whitelist, reachability, framing, HTTPS); their URL parameters [配置参数] are edited in
// screen-pop-params.js, and "try it" [测试弹屏] is screen-pop-try.js.
//
// The list, the create/edit dialogs and the delete confirmation come from crud.js; field rules
// come from the API's OpenAPI schema, refusals (422) are shown next to the fields they name.
import { api, escapeHtml, t } from "/static/ad.js";
import { ResourceManager, confirmDialog, formDialog } from "/static/crud.js";
import { L, errorText } from "/static/crud-form.js";
import { openParams } from "/static/screen-pop-params.js";
import {
  ASK_OPS, ENDPOINT, INTEGRATIONS, OPEN_MODES, badge, label,
} from "/static/screen-pop-shared.js";
import { openTry } from "/static/screen-pop-try.js";
import { checkAdviceTexts, checkReasonText } from "/static/check-codes.js";

const TABS = { audio_video: ["音视频", "Audio-video"], multimedia: ["多媒体", "Multimedia"] };
const PAGE_TYPES = { external: ["外部页面", "External page"], internal: ["内部页面", "Internal page"] };

function lastFormDialog() {
  return [...document.querySelectorAll("dialog.form-dialog")].at(-1);
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
