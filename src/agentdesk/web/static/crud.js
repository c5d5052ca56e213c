// A reusable resource manager for the admin consoles: a list table with edit/delete actions,
// a create/edit form in a <dialog>, options loaded from other endpoints, field errors next to
// each field, delete confirmation, empty states and pagination.
//
//   mountResource(root, {
//     endpoint: "/api/config/queues",          // GET list, POST create, PUT|PATCH|DELETE /{id}
//     noun: ["技能队列", "skill queue"], title: ["技能队列", "Skill queues"],
//     columns: [{ key, label: [zh, en], render?(item, ctx), labels?, source? }],
//     fields: [{ name, label: [zh, en], widget?, section?, showIf?(values, ctx), source?, ... }],
//     sources: { queues: "/api/config/queues" }, // loaded before the list and each form
//     filters: [...fields],                      // query form above the table
//     actions: [{ label, run(item, manager) }], toolbar: [{ label, run(manager) }],
//   })
//
// Which operations exist, and their rules, come from /openapi.json.
import { api, escapeHtml, t } from "/static/ad.js";
import {
  FieldSet,
  L,
  bodySchema,
  errorText,
  itemPath,
  mergeField,
  openApi,
  placeErrors,
  queryParams,
} from "/static/crud-form.js";

export { L, openApi } from "/static/crud-form.js";

function withQuery(url, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") query.set(key, value);
  }
  const text = query.toString();
  return text ? `${url}${url.includes("?") ? "&" : "?"}${text}` : url;
}

/** Every item of a list endpoint, following its pages when it has them. */
export async function fetchAll(url) {
  const spec = await openApi();
  const params = queryParams(spec, url.split("?")[0]);
  if (!params.page) return (await api("GET", url)).items;
  const size = params.page_size?.maximum ?? 100;
  const items = [];
  for (let page = 1; page < 1000; page++) {
    const data = await api("GET", withQuery(url, { page, page_size: size }));
    items.push(...data.items);
    if (!data.items.length || items.length >= data.total) break;
  }
  return items;
}

// ---- dialogs ------------------------------------------------------------------------------

function dialogShell(className) {
  const dialog = document.createElement("dialog");
  dialog.className = className;
  document.body.append(dialog);
  dialog.addEventListener("close", () => dialog.remove());
  return dialog;
}

/** Ask before doing something that cannot be undone; resolves to true or false. */
export function confirmDialog(message, confirmLabel = ["删除", "Delete"]) {
  const dialog = dialogShell("confirm-dialog");
  dialog.setAttribute("role", "alertdialog");
  dialog.innerHTML = `<form method="dialog">
    <p class="confirm-text">${escapeHtml(message)}</p>
    <div class="dialog-actions">
      <button value="cancel" autofocus>${escapeHtml(t("取消", "Cancel"))}</button>
      <button value="ok" class="primary danger-fill">${escapeHtml(L(confirmLabel))}</button>
    </div></form>`;
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"));
    dialog.showModal();
  });
}

/**
 * A form in a modal dialog. `submit(values)` returns a promise; a rejected ApiError is shown
 * next to the fields it names and the dialog stays open. Resolves with the result, or null
 * when the user cancels.
 */
export function formDialog({ title, fields, item = {}, ctx = {}, submit, saveLabel, intro, mapErrorField }) {
  const dialog = dialogShell("form-dialog");
  const titleId = `dlg-${Math.random().toString(36).slice(2)}`;
  dialog.setAttribute("aria-labelledby", titleId);
  dialog.innerHTML = `<form class="form" novalidate>
    <h2 id="${titleId}">${escapeHtml(L(title))}</h2>
    ${intro ? `<p class="muted">${escapeHtml(L(intro))}</p>` : ""}
    <div class="form-body"></div>
    <p class="form-error" data-error="_form" role="alert"></p>
    <div class="dialog-actions">
      <button type="button" data-cancel>${escapeHtml(t("取消", "Cancel"))}</button>
      <button type="submit" class="primary">${escapeHtml(L(saveLabel || ["保存", "Save"]))}</button>
    </div></form>`;
  const form = dialog.querySelector("form");
  const set = new FieldSet(form, fields, ctx);
  set.render(form.querySelector(".form-body"));
  set.fill(item);
  return new Promise((resolve) => {
    let result = null;
    dialog.querySelector("[data-cancel]").addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => resolve(result));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector('button[type="submit"]');
      button.disabled = true;
      try {
        result = (await submit(set.values())) ?? true;
        dialog.close();
      } catch (err) {
        placeErrors(form, err, fields, mapErrorField);
      } finally {
        button.disabled = false;
      }
    });
    dialog.showModal();
    form.querySelector(".form-body :is(input, select, textarea):not(:disabled)")?.focus();
  });
}

// ---- the manager --------------------------------------------------------------------------

export async function mountResource(root, config) {
  const manager = new ResourceManager(root, config);
  await manager.start();
  return manager;
}

export class ResourceManager {
  constructor(root, config) {
    this.root = root;
    this.config = { idKey: "id", pageSize: 20, ...config };
    this.page = 1;
    this.query = {};
    this.items = [];
    this.total = 0;
    this.ctx = { sources: {}, manager: this };
  }

  async start() {
    const spec = await openApi();
    const base = this.config.endpoint;
    const item = itemPath(spec, base);
    this.ops = {
      create: this.config.create !== false && spec.paths?.[base]?.post ? bodySchema(spec, base, "post") || {} : null,
      updateMethod: ["put", "patch"].find((m) => item && spec.paths[item][m]),
      remove: this.config.remove !== false && Boolean(item && spec.paths[item].delete),
      serverPages: Boolean(queryParams(spec, base).page),
    };
    this.ops.update =
      this.config.update === false || !this.ops.updateMethod
        ? null
        : bodySchema(spec, item, this.ops.updateMethod) || {};
    this.renderShell();
    await this.reload();
  }

  noun(index) {
    return this.config.noun?.[index] ?? "";
  }

  renderShell() {
    const c = this.config;
    const createButton = this.ops.create
      ? `<button type="button" class="primary" data-create>+ ${escapeHtml(t(`新建${this.noun(0)}`, `New ${this.noun(1)}`))}</button>`
      : "";
    const tools = (c.toolbar || [])
      .map((tool, i) => `<button type="button" data-tool="${i}">${escapeHtml(L(tool.label))}</button>`)
      .join("");
    this.root.innerHTML = `
      <div class="toolbar-row"><h2>${escapeHtml(L(c.title))}</h2>${createButton}${tools}</div>
      ${c.intro ? `<p class="muted">${escapeHtml(L(c.intro))}</p>` : ""}
      ${c.filters ? '<form class="filters form" novalidate></form>' : ""}
      <p class="status" role="status" aria-live="polite"></p>
      <div class="table-wrap"><table class="grid"><caption class="sr-only">${escapeHtml(L(c.title))}</caption>
        <thead><tr>${c.columns.map((col) => `<th scope="col">${escapeHtml(L(col.label))}</th>`).join("")}
        ${this.hasActions() ? `<th scope="col">${escapeHtml(t("操作", "Actions"))}</th>` : ""}</tr></thead>
        <tbody></tbody></table></div>
      <nav class="pager" aria-label="${escapeHtml(t("分页", "Pages"))}"></nav>`;
    this.root.querySelector("[data-create]")?.addEventListener("click", () => this.openCreate());
    this.root.querySelectorAll("[data-tool]").forEach((button) =>
      button.addEventListener("click", () => c.toolbar[button.dataset.tool].run(this)),
    );
    if (c.filters) this.renderFilters();
    if (c.limit) this.renderLimitShell();
  }

  // A per-tenant maximum (config.limit = {id, label, reason(limit)}, the list answering
  // {items, total, limit}): "label: n / limit" beside New, which is disabled at the limit
  // with the reason next to it.
  renderLimitShell() {
    const create = this.root.querySelector("[data-create]");
    if (!create) return;
    const count = document.createElement("span");
    count.className = "resource-limit";
    count.dataset.limit = "";
    create.before(count);
    const note = document.createElement("p");
    note.className = "limit-note";
    note.id = `${this.config.limit.id}-limit-note`;
    note.hidden = true;
    this.root.querySelector(".toolbar-row").after(note);
    create.setAttribute("aria-describedby", note.id);
  }

  renderLimit() {
    const spec = this.config.limit;
    const count = this.root.querySelector("[data-limit]");
    if (!spec || !count || this.limit == null) return;
    const full = this.total >= this.limit;
    count.innerHTML = `${escapeHtml(L(spec.label))}: <b data-count>${escapeHtml(`${this.total} / ${this.limit}`)}</b>`;
    const create = this.root.querySelector("[data-create]");
    const note = this.root.querySelector(`#${spec.id}-limit-note`);
    const reason = full ? L(spec.reason(this.limit)) : "";
    create.disabled = full;
    create.title = reason;
    note.hidden = !full;
    note.textContent = reason;
  }

  renderFilters() {
    const form = this.root.querySelector("form.filters");
    const fields = this.config.filters.map((f) => mergeField(f, null));
    form.innerHTML = `<div class="filter-body"></div><p class="form-error" data-error="_form" role="alert"></p>
      <div class="toolbar-row"><button type="submit" class="primary">${escapeHtml(t("查询", "Search"))}</button>
      <button type="reset">${escapeHtml(t("重置", "Reset"))}</button></div>`;
    this.filterSet = new FieldSet(form, fields, this.ctx);
    this.filterSet.render(form.querySelector(".filter-body"));
    this.filterFields = fields;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.query = this.filterSet.values();
      this.page = 1;
      this.load();
    });
    form.addEventListener("reset", () =>
      setTimeout(() => {
        this.filterSet.fill({});
        this.query = {};
        this.page = 1;
        this.load();
      }),
    );
  }

  hasActions() {
    return Boolean(this.ops.update || this.ops.remove || this.config.actions?.length);
  }

  status(message, bad = false) {
    const el = this.root.querySelector(".status");
    el.textContent = message;
    el.classList.toggle("bad", bad);
  }

  async loadSources() {
    const entries = Object.entries(this.config.sources || {});
    const lists = await Promise.all(entries.map(([, url]) => fetchAll(url)));
    entries.forEach(([name], i) => {
      this.ctx.sources[name] = lists[i];
    });
  }

  /** Reload the lookups (queues, tenants…) and the current page. */
  async reload() {
    try {
      await this.loadSources();
    } catch (err) {
      this.status(errorText(err), true);
    }
    if (this.filterSet && !this.filterSet.filled) {
      this.filterSet.fill({});
      this.filterSet.filled = true;
    }
    await this.load();
  }

  /** The list's URL (a page may add its own query, e.g. a tab). */
  listUrl() {
    return this.config.endpoint;
  }

  async load() {
    const c = this.config;
    const params = { ...this.query };
    if (this.ops.serverPages) Object.assign(params, { page: this.page, page_size: c.pageSize });
    try {
      const data = await api("GET", withQuery(this.listUrl(), params));
      this.limit = data.limit ?? null;
      const items = c.sort ? [...data.items].sort(c.sort) : data.items;
      if (this.ops.serverPages) {
        this.items = items;
        this.total = data.total ?? items.length;
      } else {
        this.total = items.length;
        this.items = items.slice((this.page - 1) * c.pageSize, this.page * c.pageSize);
      }
      if (!this.items.length && this.page > 1) {
        this.page -= 1;
        return this.load();
      }
      if (this.root.querySelector(".status.bad")) this.status("");
      this.renderRows();
      this.renderPager();
      this.renderLimit();
      this.root.dispatchEvent(new CustomEvent("crud:loaded", { detail: this }));
    } catch (err) {
      this.status(errorText(err), true);
    }
  }

  cell(col, item) {
    const value = item[col.key];
    if (col.render) return col.render(item, this.ctx);
    if (col.source) {
      const found = (this.ctx.sources[col.source] || []).find((x) => x.id === value);
      const name = found ? (col.sourceLabel ? col.sourceLabel(found) : found.name ?? found.code) : value;
      return value === null || value === undefined
        ? `<span class="muted">${escapeHtml(L(col.emptyLabel || ["—", "—"]))}</span>`
        : escapeHtml(name);
    }
    if (col.labels) return escapeHtml(L(col.labels[value] ?? value));
    if (typeof value === "boolean") return value ? t("是", "Yes") : t("否", "No");
    if (Array.isArray(value)) return escapeHtml(value.join(", "));
    return escapeHtml(value ?? "");
  }

  itemName(item) {
    const key = this.config.nameKey;
    return String(key ? item[key] : (item.name ?? item.code ?? item.number ?? item.username ?? item.id));
  }

  renderRows() {
    const c = this.config;
    const body = this.root.querySelector("tbody");
    const span = c.columns.length + (this.hasActions() ? 1 : 0);
    if (!this.items.length) {
      const filtered = Object.keys(this.query).length > 0;
      const text = filtered
        ? t("没有符合条件的记录", "Nothing matches these filters")
        : L(c.empty || ["暂无数据", "Nothing here yet"]);
      body.innerHTML = `<tr class="empty"><td colspan="${span}">${escapeHtml(text)}</td></tr>`;
      return;
    }
    body.innerHTML = "";
    for (const item of this.items) {
      const row = document.createElement("tr");
      row.dataset.id = item[c.idKey];
      row.innerHTML = c.columns.map((col) => `<td>${this.cell(col, item)}</td>`).join("");
      if (this.hasActions()) row.append(this.actionCell(item));
      body.append(row);
    }
  }

  actionCell(item) {
    const td = document.createElement("td");
    td.className = "actions";
    const name = this.itemName(item);
    const add = (label, handler, className = "") => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = className;
      button.textContent = L(label);
      button.setAttribute("aria-label", `${L(label)} ${name}`);
      button.addEventListener("click", handler);
      td.append(button);
    };
    if (this.ops.update) add(["编辑", "Edit"], () => this.openEdit(item));
    for (const action of this.config.actions || []) {
      if (!action.show || action.show(item)) add(action.label, () => action.run(item, this));
    }
    if (this.ops.remove) add(["删除", "Delete"], () => this.confirmDelete(item), "danger");
    return td;
  }

  renderPager() {
    const pager = this.root.querySelector(".pager");
    const pages = Math.max(1, Math.ceil(this.total / this.config.pageSize));
    const totalText = t(`共 ${this.total} 条`, `${this.total} in total`);
    if (pages <= 1) {
      pager.innerHTML = this.total ? `<span class="muted">${escapeHtml(totalText)}</span>` : "";
      return;
    }
    pager.innerHTML = `<button type="button" data-page="${this.page - 1}" ${this.page <= 1 ? "disabled" : ""}>‹ ${escapeHtml(t("上一页", "Previous"))}</button>
      <span>${escapeHtml(t(`第 ${this.page} / ${pages} 页`, `Page ${this.page} of ${pages}`))}</span>
      <button type="button" data-page="${this.page + 1}" ${this.page >= pages ? "disabled" : ""}>${escapeHtml(t("下一页", "Next"))} ›</button>
      <span class="muted">${escapeHtml(totalText)}</span>`;
    pager.querySelectorAll("[data-page]").forEach((button) =>
      button.addEventListener("click", () => {
        this.page = Number(button.dataset.page);
        this.load();
      }),
    );
  }

  fields(schema, mode) {
    return this.config.fields
      .filter((f) => !(mode === "create" && f.editOnly) && !(mode === "edit" && f.createOnly))
      .filter((f) => !schema?.properties || f.widget === "static" || f.name in schema.properties)
      .map((f) => mergeField(f, schema));
  }

  itemUrl(item) {
    return this.config.itemUrl ? this.config.itemUrl(item) : `${this.config.endpoint}/${item[this.config.idKey]}`;
  }

  async openCreate() {
    await this.loadSources().catch(() => {});
    const saved = await formDialog({
      title: [`新建${this.noun(0)}`, `New ${this.noun(1)}`],
      fields: this.fields(this.ops.create, "create"),
      item: this.config.defaults ? this.config.defaults(this.ctx) : {},
      ctx: { ...this.ctx, mode: "create", item: null },
      mapErrorField: this.config.mapErrorField,
      submit: (values) => api("POST", this.config.endpoint, this.prepare(values, "create")),
    });
    if (saved) await this.afterSave(saved, t("已创建", "Created"));
  }

  async openEdit(item) {
    await this.loadSources().catch(() => {});
    const method = this.ops.updateMethod.toUpperCase();
    const saved = await formDialog({
      title: [`编辑${this.noun(0)} ${this.itemName(item)}`, `Edit ${this.noun(1)} ${this.itemName(item)}`],
      fields: this.fields(this.ops.update, "edit"),
      item,
      ctx: { ...this.ctx, mode: "edit", item },
      mapErrorField: this.config.mapErrorField,
      submit: (values) => api(method, this.itemUrl(item), this.prepare(values, "edit", item)),
    });
    if (saved) await this.afterSave(saved, t("已保存", "Saved"));
  }

  prepare(values, mode, item) {
    return this.config.prepare ? this.config.prepare(values, mode, item, this.ctx) : values;
  }

  async afterSave(saved, message) {
    await this.reload();
    const name = saved && typeof saved === "object" ? this.itemName(saved) : "";
    this.status(`${message}${name && name !== "undefined" ? `: ${name}` : ""}`);
    this.config.onChange?.(this);
  }

  async confirmDelete(item) {
    const name = this.itemName(item);
    const ok = await confirmDialog(
      t(`确定删除${this.noun(0)}“${name}”？此操作不可撤销。`, `Delete ${this.noun(1)} "${name}"? This cannot be undone.`),
    );
    if (!ok) return;
    try {
      await api("DELETE", this.itemUrl(item));
      await this.reload();
      this.status(`${t("已删除", "Deleted")}: ${name}`);
      this.config.onChange?.(this);
    } catch (err) {
      this.status(errorText(err), true);
    }
  }
}
