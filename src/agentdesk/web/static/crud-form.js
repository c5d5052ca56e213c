// Forms for the admin consoles. A page describes each field (bilingual label, widget, where
// its options come from, when it applies); the server's OpenAPI request schema supplies the
// rules (type, enum, range, length, required), so the hints a user reads are exactly the
// rules the server enforces. Errors come back as {field, rule, message} and are shown next to
// the field; the server writes `message` in the page's language (cookie `lang`).
import { ApiError, escapeHtml, showErrors, t } from "/static/ad.js";

export const L = (text) => (Array.isArray(text) ? t(text[0], text[1]) : String(text ?? ""));

let specPromise = null;

/** The application's OpenAPI document (fetched once per page). */
export function openApi() {
  specPromise ??= fetch("/openapi.json", { credentials: "same-origin" })
    .then((r) => (r.ok ? r.json() : {}))
    .catch(() => ({}));
  return specPromise;
}

function resolve(spec, schema) {
  let s = schema || {};
  for (let i = 0; s.$ref && i < 10; i++) {
    const parts = s.$ref.replace(/^#\//, "").split("/");
    s = parts.reduce((node, key) => (node ? node[key] : undefined), spec) || {};
  }
  return s;
}

/** One plain description of a schema: `anyOf [X, null]` becomes X with nullable. */
export function describe(spec, schema) {
  let s = resolve(spec, schema);
  let nullable = false;
  const variants = s.anyOf || s.oneOf;
  if (variants) {
    const real = variants.map((v) => resolve(spec, v)).filter((v) => v.type !== "null");
    nullable = real.length < variants.length;
    const { anyOf, oneOf, ...rest } = s;
    s = { ...(real.length === 1 ? describe(spec, real[0]) : {}), ...rest };
  }
  if (s.allOf && s.allOf.length === 1) {
    const { allOf, ...rest } = s;
    s = { ...describe(spec, allOf[0]), ...rest };
  }
  if (s.const !== undefined && !s.enum) s = { ...s, enum: [s.const] };
  if (s.type === "array" && s.items) s = { ...s, items: describeObject(spec, s.items) };
  return { ...s, nullable: nullable || s.nullable === true };
}

function describeObject(spec, schema) {
  const s = describe(spec, schema);
  if (!s.properties) return s;
  const properties = {};
  for (const [key, value] of Object.entries(s.properties)) properties[key] = describe(spec, value);
  return { ...s, properties, required: s.required || [] };
}

/** The JSON request-body schema of `method path`, or null when the operation has none. */
export function bodySchema(spec, path, method) {
  const op = spec.paths?.[path]?.[method];
  const schema = op?.requestBody?.content?.["application/json"]?.schema;
  return schema ? describeObject(spec, schema) : null;
}

/** The item path `${base}/{id}` as the spec spells it, if there is one. */
export function itemPath(spec, base) {
  return Object.keys(spec.paths || {}).find(
    (p) => p.startsWith(`${base}/{`) && /^\{[^/]+\}$/.test(p.slice(base.length + 1)),
  );
}

/** The query parameters of `GET path` by name, described. */
export function queryParams(spec, path) {
  const params = {};
  for (const p of spec.paths?.[path]?.get?.parameters || []) {
    if (p.in === "query") params[p.name] = describe(spec, p.schema);
  }
  return params;
}

// ---- fields -------------------------------------------------------------------------------

const NUMERIC = new Set(["integer", "number"]);
let uid = 0;

/** Merge the page's field description with the server's rules for that property. */
export function mergeField(field, schema) {
  const prop = schema?.properties?.[field.name] || {};
  const required = field.required ?? (schema?.required || []).includes(field.name);
  const f = { ...field, required, schemaType: prop.type, nullable: field.nullable ?? prop.nullable };
  for (const key of ["minimum", "maximum", "minLength", "maxLength", "default", "enum"]) {
    if (f[key] === undefined && prop[key] !== undefined) f[key] = prop[key];
  }
  if (f.exclusiveMinimum === undefined && prop.exclusiveMinimum !== undefined)
    f.minimum ??= prop.exclusiveMinimum + 1;
  if (f.exclusiveMaximum === undefined && prop.exclusiveMaximum !== undefined)
    f.maximum ??= prop.exclusiveMaximum - 1;
  // A rule the schema's bounds do not say (password, username characters), worded by the server.
  if (f.rule === undefined && prop["x-rule"]) f.rule = [prop["x-rule"].zh, prop["x-rule"].en];
  if (prop.items) f.itemSchema = prop.items;
  if (prop.maxItems !== undefined) f.maxItems ??= prop.maxItems;
  f.widget ??= guessWidget(f, prop);
  if (f.widget === "rows") f.fields = f.fields.map((sub) => mergeField(sub, prop.items));
  return f;
}

function guessWidget(f, prop) {
  if (f.options || f.source || f.enum) return f.multiple ? "checks" : "select";
  if (prop.type === "boolean") return "checkbox";
  if (NUMERIC.has(prop.type)) return "number";
  if (prop.type === "array") return prop.items?.enum ? "checks" : "lines";
  if (f.maxLength > 100) return "textarea";
  return "text";
}

function rangeHint(f) {
  // A 64-bit bound (every id has one) is no rule a person types against: leave it unsaid.
  const readable = (n) => n !== undefined && Math.abs(n) < Number.MAX_SAFE_INTEGER;
  const [min, max] = [f.minimum, f.maximum].map((n) => (readable(n) ? n : undefined));
  if (min !== undefined && max !== undefined) return [t(`取值 ${min}–${max}`, `${min}–${max}`)];
  if (min !== undefined) return [t(`最小 ${min}`, `at least ${min}`)];
  if (max !== undefined) return [t(`最大 ${max}`, `at most ${max}`)];
  return [];
}

/** Range and length hints in the page language, e.g. "1–60000 · 默认 60". */
export function hintText(f) {
  const parts = [];
  if (f.hint) parts.push(L(f.hint));
  if (f.rule) parts.push(L(f.rule));
  // A choice (select, checks) shows no range: its ids are bounded only so that the server
  // refuses numbers no database column can hold; the options are the rule.
  if (f.widget !== "select" && f.widget !== "checks") parts.push(...rangeHint(f));
  if (f.maxLength !== undefined && f.widget !== "select")
    parts.push(t(`最多 ${f.maxLength} 个字符`, `up to ${f.maxLength} characters`));
  if (f.default !== undefined && f.default !== null && f.widget === "number")
    parts.push(t(`默认 ${f.default}`, `default ${f.default}`));
  return parts.join(" · ");
}

function attrs(f) {
  const list = [];
  if (f.required) list.push('aria-required="true"');
  if (f.minimum !== undefined) list.push(`min="${f.minimum}"`);
  if (f.maximum !== undefined) list.push(`max="${f.maximum}"`);
  if (f.maxLength !== undefined) list.push(`maxlength="${f.maxLength}"`);
  if (f.placeholder) list.push(`placeholder="${escapeHtml(L(f.placeholder))}"`);
  if (f.autocomplete) list.push(`autocomplete="${f.autocomplete}"`);
  return list.join(" ");
}

function controlHtml(f, id, described) {
  const common = `id="${id}" name="${escapeHtml(f.name)}" aria-describedby="${described}" ${attrs(f)}`;
  switch (f.widget) {
    case "textarea":
    case "lines":
      return `<textarea ${common} rows="${f.rows || 3}"></textarea>`;
    case "select":
      return `<select ${common}></select>`;
    case "number":
      return `<input type="number" inputmode="numeric" step="${f.step || 1}" ${common}>`;
    case "password":
      return `<input type="password" autocomplete="new-password" ${common}>`;
    case "datetime":
      return `<input type="datetime-local" ${common}>`;
    default:
      return `<input type="text" ${common}>`;
  }
}

function fieldHtml(f, sub = false) {
  const id = `f${++uid}-${f.name}`;
  const hint = hintText(f);
  const star = f.required ? '<span class="req" aria-hidden="true">*</span>' : "";
  const name = escapeHtml(f.name);
  const slot = sub ? "" : `data-error="${name}"`;
  const error = `<span class="field-error" id="${id}-err" ${slot} aria-live="polite"></span>`;
  const hintEl = hint ? `<small class="hint" id="${id}-hint">${escapeHtml(hint)}</small>` : "";
  const described = `${id}-hint ${id}-err`;
  if (f.widget === "checkbox") {
    return `<div class="field field-check" data-field="${name}"><label for="${id}">
      <input type="checkbox" id="${id}" name="${name}" aria-describedby="${described}"> ${escapeHtml(L(f.label))}</label>${hintEl}${error}</div>`;
  }
  if (f.widget === "checks" || f.widget === "rows") {
    const add =
      f.widget === "rows"
        ? `<button type="button" class="add-row" data-add-row="${name}">+ ${escapeHtml(L(f.addLabel || ["添加", "Add"]))}</button>`
        : "";
    return `<fieldset class="field field-${f.widget}" data-field="${name}" aria-describedby="${described}">
      <legend>${escapeHtml(L(f.label))}${star}</legend><div class="${f.widget}" data-${f.widget}="${name}"></div>${add}${hintEl}${error}</fieldset>`;
  }
  // The star sits beside the label, not in it: the accessible name stays the plain label.
  return `<div class="field" ${sub ? "data-subfield" : "data-field"}="${name}"><span class="field-label"><label for="${id}">${escapeHtml(L(f.label))}</label>${star}</span>
    ${controlHtml(f, id, described)}${hintEl}${error}</div>`;
}

// ---- options ------------------------------------------------------------------------------

/** [{value, label}] for a field given the current form values and the loaded sources. */
export function optionsFor(f, values, ctx) {
  let options;
  if (f.optionsOf) {
    // Options that depend on another value of the same row (a table's fields).
    options = f.optionsOf(values, ctx).map((o) => ({ value: o.value, label: L(o.label) }));
  } else if (f.source) {
    const items = ctx.sources[f.source.name || f.source] || [];
    const valueKey = f.source.value || "id";
    const label = f.source.label || ((item) => item.name ?? item.code ?? item[valueKey]);
    options = items
      .filter((item) => !f.filter || f.filter(item, values, ctx))
      .map((item) => ({ value: item[valueKey], label: label(item) }));
  } else if (f.options) {
    options = f.options.map((o) => ({ value: o.value, label: L(o.label) }));
  } else {
    const values_ = f.enum || f.itemSchema?.enum || [];
    options = values_.map((v) => ({ value: v, label: L(f.labels?.[v] ?? v) }));
  }
  if (f.optionFilter) options = options.filter((o) => f.optionFilter(o.value, values, ctx));
  return options;
}

function fillSelect(select, f, values, ctx) {
  const current = select._pending !== undefined ? String(select._pending ?? "") : select.value;
  const options = optionsFor(f, values, ctx);
  const blank = f.blankLabel || (f.required ? ["请选择", "Choose…"] : ["（无）", "(none)"]);
  const html = [`<option value="">${escapeHtml(L(blank))}</option>`];
  for (const o of options) {
    html.push(`<option value="${escapeHtml(o.value)}">${escapeHtml(o.label)}</option>`);
  }
  select.innerHTML = html.join("");
  select._options = options;
  if (options.some((o) => String(o.value) === current)) select.value = current;
}

function fillChecks(box, f, values, ctx) {
  const checked = new Set(box._value ?? []);
  const options = optionsFor(f, values, ctx);
  box._options = options;
  box.innerHTML = options.length
    ? options
        .map(
          (o, i) => `<label class="check"><input type="checkbox" data-index="${i}"
            ${checked.has(o.value) ? "checked" : ""}> ${escapeHtml(o.label)}</label>`,
        )
        .join("")
    : `<span class="muted">${escapeHtml(L(f.emptyLabel || ["无可选项", "Nothing to choose"]))}</span>`;
}

// ---- the form -----------------------------------------------------------------------------

/** A set of fields inside a <form>: renders, fills, reads values, applies dependencies. */
export class FieldSet {
  constructor(form, fields, ctx) {
    this.form = form;
    this.fields = fields;
    this.ctx = ctx;
    form.addEventListener("change", () => this.refresh());
  }

  render(container) {
    // Sections become fieldsets; fields sharing a `group` (a policy's action and target) share a line.
    const sections = [];
    for (const f of this.fields) {
      const section = f.section ? L(f.section) : "";
      if (!sections.length || sections.at(-1).section !== section) sections.push({ section, items: [] });
      const items = sections.at(-1).items;
      const last = items.at(-1);
      if (f.group && last?.group === f.group) last.html.push(fieldHtml(f));
      else items.push({ group: f.group, html: [fieldHtml(f)] });
    }
    const body = (items) =>
      items
        .map((item) => (item.group ? `<div class="field-group">${item.html.join("")}</div>` : item.html.join("")))
        .join("");
    container.innerHTML = sections
      .map((g) =>
        g.section
          ? `<fieldset class="form-section"><legend>${escapeHtml(g.section)}</legend><div class="row">${body(g.items)}</div></fieldset>`
          : `<div class="row">${body(g.items)}</div>`,
      )
      .join("");
    container.querySelectorAll("[data-add-row]").forEach((button) =>
      button.addEventListener("click", () => {
        const f = this.field(button.dataset.addRow);
        this.addRow(f, {});
        this.refresh();
        this.rowsBox(f).lastElementChild?.querySelector("select, input")?.focus();
      }),
    );
  }

  field(name) {
    return this.fields.find((f) => f.name === name);
  }

  control(f) {
    return this.form.querySelector(`[data-field="${CSS.escape(f.name)}"] [name="${CSS.escape(f.name)}"]`);
  }

  rowsBox(f) {
    return this.form.querySelector(`[data-rows="${CSS.escape(f.name)}"]`);
  }

  fill(item) {
    const selects = [];
    for (const f of this.fields) {
      let value = item[f.name];
      if (value === undefined) value = f.initial ?? f.default;
      if (f.widget === "checks") {
        const box = this.form.querySelector(`[data-checks="${CSS.escape(f.name)}"]`);
        box.innerHTML = "";
        box._value = value || [];
      } else if (f.widget === "rows") {
        this.rowsBox(f).innerHTML = "";
        for (const row of value || []) this.addRow(f, row);
      } else if (f.widget === "checkbox") {
        this.control(f).checked = Boolean(value);
      } else if (f.widget === "select") {
        const control = this.control(f);
        control._pending = value ?? "";
        selects.push(control);
      } else {
        this.control(f).value = formatValue(f, value);
      }
    }
    // Twice: a select's options may depend on another select's value (policy target queues).
    this.refresh();
    this.refresh();
    for (const control of selects) delete control._pending;
  }

  addRow(f, row) {
    const line = document.createElement("div");
    line.className = "row-line";
    line.innerHTML =
      f.fields.map((sub) => fieldHtml(sub, true)).join("") +
      `<button type="button" class="danger remove-row">${escapeHtml(t("移除", "Remove"))}</button>`;
    line.querySelector(".remove-row").addEventListener("click", () => {
      line.remove();
      this.refresh();
    });
    line.querySelector(".remove-row").setAttribute("aria-label", t("移除此行", "Remove this row"));
    line._row = row;
    this.rowsBox(f).append(line);
    for (const sub of f.fields) {
      const control = line.querySelector(`[name="${CSS.escape(sub.name)}"]`);
      const value = row[sub.name] ?? sub.initial ?? sub.default;
      if (sub.widget === "checks") continue; // filled below, once the row's other values are set
      if (sub.widget === "select") {
        control._pending = value ?? "";
        fillSelect(control, sub, this.values({ all: true }), this.ctx);
        delete control._pending;
      } else {
        control.value = formatValue(sub, value);
      }
    }
    for (const sub of f.fields.filter((s) => s.widget === "checks")) {
      const box = line.querySelector(`[data-checks="${CSS.escape(sub.name)}"]`);
      box._value = row[sub.name] ?? [];
      fillChecks(box, sub, this.lineValues(f, line), this.ctx);
    }
  }

  /** The values of one line of a rows field (what its checks' options depend on). */
  lineValues(f, line) {
    const row = {};
    for (const sub of f.fields) {
      if (sub.widget === "checks") continue;
      const value = parseValue(sub, line.querySelector(`[name="${CSS.escape(sub.name)}"]`));
      if (value !== undefined) row[sub.name] = value;
    }
    return row;
  }

  /** Show or hide fields and re-filter dependent options for the current values. */
  refresh() {
    const values = this.values({ all: true });
    for (const f of this.fields) {
      const wrapper = this.form.querySelector(`[data-field="${CSS.escape(f.name)}"]`);
      const visible = !f.showIf || f.showIf(values, this.ctx);
      wrapper.hidden = !visible;
      wrapper.querySelectorAll("input, select, textarea, button").forEach((el) => {
        el.disabled = !visible || Boolean(f.readOnly && f.readOnly(this.ctx));
      });
      if (f.widget === "select") fillSelect(this.control(f), f, values, this.ctx);
      if (f.widget === "checks") {
        const box = wrapper.querySelector(`[data-checks]`);
        box._value = readChecks(box) ?? box._value;
        fillChecks(box, f, values, this.ctx);
      }
      if (f.widget === "rows") {
        for (const line of this.rowsBox(f).children) {
          for (const sub of f.fields.filter((s) => s.widget === "select")) {
            fillSelect(line.querySelector(`[name="${CSS.escape(sub.name)}"]`), sub, values, this.ctx);
          }
          for (const sub of f.fields.filter((s) => s.widget === "checks")) {
            const box = line.querySelector(`[data-checks="${CSS.escape(sub.name)}"]`);
            box._value = readChecks(box) ?? box._value;
            fillChecks(box, sub, this.lineValues(f, line), this.ctx);
          }
        }
      }
    }
    for (const group of this.form.querySelectorAll(".field-group")) {
      group.hidden = ![...group.querySelectorAll(".field")].some((el) => !el.hidden);
    }
    for (const section of this.form.querySelectorAll(".form-section")) {
      section.hidden = ![...section.querySelectorAll(".field")].some((el) => !el.hidden);
    }
  }

  /** The request body: hidden fields are null when the server allows it, else left out. */
  values({ all = false } = {}) {
    const out = {};
    for (const f of this.fields) {
      const wrapper = this.form.querySelector(`[data-field="${CSS.escape(f.name)}"]`);
      if (!wrapper) continue;
      if (!all && wrapper.hidden) {
        if (f.nullable) out[f.name] = null;
        continue;
      }
      const value = this.read(f, wrapper);
      if (value !== undefined) out[f.name] = value;
    }
    return out;
  }

  read(f, wrapper) {
    if (f.widget === "checkbox") return this.control(f).checked;
    if (f.widget === "checks") {
      const box = wrapper.querySelector("[data-checks]");
      return readChecks(box) ?? box._value ?? [];
    }
    if (f.widget === "rows") {
      return [...this.rowsBox(f).children].map((line) => {
        const row = {};
        for (const sub of f.fields) {
          if (sub.widget === "checks") {
            const box = line.querySelector(`[data-checks="${CSS.escape(sub.name)}"]`);
            row[sub.name] = readChecks(box) ?? box._value ?? [];
            continue;
          }
          const control = line.querySelector(`[name="${CSS.escape(sub.name)}"]`);
          const value = parseValue(sub, control);
          if (value !== undefined) row[sub.name] = value;
        }
        return row;
      });
    }
    return parseValue(f, this.control(f));
  }
}

function readChecks(box) {
  if (!box._options || !box.querySelector("input")) return null;
  return [...box.querySelectorAll("input:checked")].map((input) => box._options[input.dataset.index].value);
}

function formatValue(f, value) {
  if (value === undefined || value === null) return "";
  if (f.widget === "lines" && Array.isArray(value)) return value.join("\n");
  if (f.widget === "datetime") return String(value).slice(0, 16);
  return String(value);
}

function parseValue(f, control) {
  const raw = control.value.trim();
  if (f.widget === "select") {
    if (raw === "") return f.nullable ? null : undefined;
    const option = (control._options || []).find((o) => String(o.value) === raw);
    return option ? option.value : raw;
  }
  if (f.widget === "lines") {
    const parts = raw.split(/[\s,，;；]+/).filter(Boolean);
    return NUMERIC.has(f.itemSchema?.type) ? parts.map((p) => (/^-?\d+$/.test(p) ? Number(p) : p)) : parts;
  }
  if (raw === "") {
    if (f.nullable) return null;
    if (f.widget === "number" || f.widget === "datetime" || f.widget === "password") return undefined;
    return f.keepEmpty === false ? undefined : "";
  }
  if (f.widget === "number") return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  if (f.widget === "datetime") return new Date(raw).toISOString();
  return f.widget === "password" ? control.value : raw;
}

// ---- errors -------------------------------------------------------------------------------

/** Point each error at a field slot of this form (the server wrote them in the page's language). */
export function placeErrors(form, err, fields, mapField) {
  if (!(err instanceof ApiError)) {
    showErrors(form, { body: {}, message: err.message || String(err) });
    return;
  }
  const errors = (err.body?.errors || []).map((e) => {
    let field = mapField ? mapField(e.field) : e.field;
    let prefix = "";
    // "skills.0.queue_id" → the "skills" slot, message prefixed with "#1 queue_id".
    const parts = field.split(".");
    while (parts.length > 1 && !form.querySelector(`[data-error="${CSS.escape(parts.join("."))}"]`)) {
      const tail = parts.pop();
      prefix = `${/^\d+$/.test(tail) ? `#${Number(tail) + 1}` : tail} ${prefix}`;
      field = parts.join(".");
    }
    return { field, rule: e.rule, message: `${prefix}${e.message}` };
  });
  const detail = err.status === 403 ? t("没有权限执行此操作", "You are not allowed to do this") : err.message;
  showErrors(form, { body: { errors }, message: errors.length ? "" : detail });
  form.querySelector(".invalid")?.focus();
}

/** A message for a failed request outside a form (list loading, deleting). */
export function errorText(err) {
  if (err instanceof ApiError) {
    if (err.status === 403) return t("没有权限执行此操作", "You are not allowed to do this");
    if (err.status === 409) return `${t("操作冲突", "Conflict")}: ${err.message}`;
    const errors = err.body?.errors || [];
    if (errors.length) return errors.map((e) => `${e.field}: ${e.message}`).join("; ");
    return err.message;
  }
  return t("网络错误，请重试", "Network error, please try again");
}
