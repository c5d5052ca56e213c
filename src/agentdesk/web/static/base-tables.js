// Base tables [基础表配置] (R-TBL-1): the tenant's tables (at most 5), their fields (name,
// index, encrypted, required, type, length, mask, value range) and publishing.
//
// The list, dialogs and confirmations come from crud.js; field rules come from the API's
// OpenAPI schema and refusals (422, e.g. "fields.3.length") are shown next to the field.
import { api, escapeHtml, t } from "/static/ad.js";
import { ResourceManager, confirmDialog, formDialog, openApi } from "/static/crud.js";
import { L, bodySchema, errorText, mergeField } from "/static/crud-form.js";

const ENDPOINT = "/api/config/base-tables";
export const TYPES = {
  string: ["字符串", "String"],
  number: ["数字", "Number"],
  date: ["日期", "Date"],
  time: ["时间", "Time"],
  dictionary: ["数据字典", "Dictionary"],
};
export const MASK_STYLES = { last4: ["后四位展示", "Show last 4"], first4: ["前四位展示", "Show first 4"] };
const STATUS = { draft: ["草稿", "Draft"], published: ["已发布", "Published"] };
const MASKABLE = new Set(["string", "number"]);
const yes = (value) => (value ? t("是", "Yes") : t("否", "No"));
const badge = (kind, text, attrs = "") => `<span class="badge ${kind}" ${attrs}>${escapeHtml(text)}</span>`;

/** A field as the API takes it back (its key keeps its data). */
function toWrite(f) {
  const { key, name, index, encrypted, required, type, length, mask, mask_style, items } = f;
  return { key, name, index, encrypted, required, type, length, mask, mask_style, items };
}

function bodyOf(table, fields) {
  return { name: table.name, description: table.description, fields: fields.map(toWrite) };
}

function fieldCounts(fields) {
  const index = fields.filter((f) => f.index).length;
  const encrypted = fields.filter((f) => f.encrypted).length;
  const ordinary = fields.filter((f) => !f.index && !f.encrypted).length;
  return { index, encrypted, ordinary };
}

function rangeText(f) {
  if (f.type === "dictionary") return (f.items || []).map((it) => `${it.key}=${it.value}`).join(", ");
  return "";
}

// ---- the field form ---------------------------------------------------------------------

const isMaskable = (values) => MASKABLE.has(values.type);

function fieldFormFields(schema) {
  const locked = (ctx) => ctx.published && Boolean(ctx.field?.key);
  return [
    { name: "name", label: ["字段名称", "Field name"], hint: ["表内唯一，即 CSV 模板的列名", "Unique in the table; the CSV template's column name"] },
    { name: "type", label: ["字段类型", "Type"], labels: TYPES, required: true, readOnly: locked },
    {
      name: "index", label: ["作为索引", "Index field"], readOnly: (ctx) => ctx.published,
      hint: ["最多 1 个；来电时按主叫号码匹配此字段；总是必填；字符串或数字", "At most 1; matched against the caller number on a call; always required; string or number"],
    },
    { name: "encrypted", label: ["加密", "Encrypted"], readOnly: locked, hint: ["以 AES-GCM 加密存储；最多 20 个", "Stored encrypted (AES-GCM); at most 20"] },
    {
      name: "required", label: ["必填", "Required"],
      readOnly: (ctx) => ctx.published && !ctx.field?.key,
      hint: ["发布后新增的字段只能是非必填", "Fields added after publishing must be optional"],
    },
    { name: "length", label: ["字段长度", "Length"], required: true, showIf: isMaskable, hint: ["字符串 1–256，数字 1–30", "String 1–256, number 1–30"] },
    { name: "mask", label: ["掩码展示", "Mask display"], showIf: isMaskable },
    { name: "mask_style", label: ["掩码样式", "Mask style"], labels: MASK_STYLES, required: true, showIf: (v) => isMaskable(v) && v.mask },
    {
      name: "items", label: ["值范围", "Value range"], widget: "rows", addLabel: ["添加字典项", "Add item"],
      showIf: (v) => v.type === "dictionary",
      hint: ["CSV 中填写键，页面显示值", "The CSV holds the key; pages show the value"],
      fields: [
        { name: "key", label: ["键", "Key"] },
        { name: "value", label: ["值", "Value"], widget: "text" },
      ],
    },
  ].map((f) => mergeField(f, schema));
}

async function fieldSchema() {
  const spec = await openApi();
  return bodySchema(spec, ENDPOINT, "post")?.properties?.fields?.items || null;
}

// ---- the fields dialog ------------------------------------------------------------------

class FieldsDialog {
  constructor(table, manager) {
    this.table = table;
    this.manager = manager;
    this.dialog = document.createElement("dialog");
    this.dialog.className = "fields-dialog";
    this.dialog.setAttribute("aria-labelledby", "fields-dialog-title");
    document.body.append(this.dialog);
    this.dialog.addEventListener("close", () => {
      this.dialog.remove();
      manager.load();
    });
  }

  get published() {
    return this.table.status === "published";
  }

  open() {
    this.render();
    this.dialog.showModal();
  }

  render(message = "", bad = false) {
    const table = this.table;
    const counts = fieldCounts(table.fields);
    const rows = table.fields.length
      ? table.fields
          .map(
            (f, i) => `<tr data-key="${escapeHtml(f.key)}">
              <td data-col="name">${escapeHtml(f.name)}</td>
              <td>${escapeHtml(L(TYPES[f.type] || [f.type, f.type]))}</td>
              <td>${yes(f.index)}</td><td>${yes(f.encrypted)}</td><td>${yes(f.required)}</td>
              <td>${f.length ?? ""}</td>
              <td>${f.mask ? escapeHtml(L(MASK_STYLES[f.mask_style] || [f.mask_style, f.mask_style])) : escapeHtml(t("否", "No"))}</td>
              <td class="kv">${escapeHtml(rangeText(f))}</td>
              <td class="actions">
                <button type="button" data-edit="${i}" aria-label="${escapeHtml(`${t("编辑", "Edit")} ${f.name}`)}">${escapeHtml(t("编辑", "Edit"))}</button>
                <button type="button" data-move="${i}" data-dir="-1" ${i === 0 ? "disabled" : ""} aria-label="${escapeHtml(`${t("上移", "Up")} ${f.name}`)}">${escapeHtml(t("上移", "Up"))}</button>
                <button type="button" data-move="${i}" data-dir="1" ${i === table.fields.length - 1 ? "disabled" : ""} aria-label="${escapeHtml(`${t("下移", "Down")} ${f.name}`)}">${escapeHtml(t("下移", "Down"))}</button>
                <button type="button" class="danger" data-remove="${i}" ${this.published ? "disabled" : ""} aria-label="${escapeHtml(`${t("删除", "Delete")} ${f.name}`)}">${escapeHtml(t("删除", "Delete"))}</button>
              </td></tr>`,
          )
          .join("")
      : `<tr class="empty"><td colspan="9">${escapeHtml(t("还没有字段。", "No fields yet."))}</td></tr>`;
    this.dialog.innerHTML = `
      <h2 id="fields-dialog-title">${escapeHtml(t(`表字段：${table.name}`, `Fields of ${table.name}`))}
        ${badge(this.published ? "ok" : "", L(STATUS[table.status]), "data-table-status")}</h2>
      <ul class="field-rules">
        <li>${escapeHtml(t("索引字段最多 1 个，普通字段（非索引、非加密）最多 30 个，加密字段最多 20 个。", "At most 1 index field, 30 ordinary fields (neither index nor encrypted) and 20 encrypted fields."))}
          <span data-counts>${escapeHtml(t(`当前：索引 ${counts.index}，普通 ${counts.ordinary}，加密 ${counts.encrypted}`, `Now: ${counts.index} index, ${counts.ordinary} ordinary, ${counts.encrypted} encrypted`))}</span></li>
        ${this.published ? `<li>${escapeHtml(t("表已发布：可以新增非必填字段、改名、调整顺序、加长长度、修改掩码和字典值；不能删除字段，也不能修改类型、索引、加密或缩短长度。", "The table is published: you can add optional fields, rename, reorder, lengthen, change masks and dictionary labels; you cannot remove a field or change its type, index, encryption, or shorten it."))}</li>` : ""}
      </ul>
      <div class="toolbar-row"><button type="button" class="primary" data-add>+ ${escapeHtml(t("新建字段", "New field"))}</button></div>
      <p class="status ${bad ? "bad" : ""}" role="status" aria-live="polite">${escapeHtml(message)}</p>
      <div class="table-wrap"><table class="grid" data-fields-table><caption class="sr-only">${escapeHtml(t("表字段", "Fields"))}</caption>
        <thead><tr>${[["字段名称", "Name"], ["类型", "Type"], ["索引", "Index"], ["加密", "Encrypted"], ["必填", "Required"], ["长度", "Length"], ["掩码展示", "Mask"], ["值范围", "Value range"], ["操作", "Actions"]]
          .map((h) => `<th scope="col">${escapeHtml(L(h))}</th>`)
          .join("")}</tr></thead>
        <tbody>${rows}</tbody></table></div>
      <div class="dialog-actions"><button type="button" data-close>${escapeHtml(t("关闭", "Close"))}</button></div>`;
    this.dialog.querySelector("[data-close]").addEventListener("click", () => this.dialog.close());
    this.dialog.querySelector("[data-add]").addEventListener("click", () => this.editField(null));
    this.dialog.querySelectorAll("[data-edit]").forEach((b) => b.addEventListener("click", () => this.editField(Number(b.dataset.edit))));
    this.dialog.querySelectorAll("[data-move]").forEach((b) =>
      b.addEventListener("click", () => this.move(Number(b.dataset.move), Number(b.dataset.dir))),
    );
    this.dialog.querySelectorAll("[data-remove]").forEach((b) => b.addEventListener("click", () => this.remove(Number(b.dataset.remove))));
  }

  async save(fields) {
    try {
      this.table = await api("PUT", `${ENDPOINT}/${this.table.id}`, bodyOf(this.table, fields));
    } catch (err) {
      throw err;
    }
    return this.table;
  }

  async editField(index) {
    const schema = await fieldSchema();
    const existing = index === null ? null : this.table.fields[index];
    const position = index === null ? this.table.fields.length : index;
    const prefix = `fields.${position}.`;
    const saved = await formDialog({
      title: existing ? [`编辑字段 ${existing.name}`, `Edit field ${existing.name}`] : ["新建字段", "New field"],
      fields: fieldFormFields(schema),
      item: existing || { type: "string", length: 32, index: false, encrypted: false, required: false, mask: false },
      ctx: { sources: {}, published: this.published, field: existing },
      mapErrorField: (field) => (field.startsWith(prefix) ? field.slice(prefix.length) : field),
      submit: (values) => {
        const field = { ...(existing || {}), ...values };
        if (!MASKABLE.has(field.type)) Object.assign(field, { length: null, mask: false, mask_style: null });
        if (!field.mask) field.mask_style = null;
        if (field.type !== "dictionary") field.items = null;
        const fields = [...this.table.fields];
        if (existing) fields[index] = field;
        else fields.push(field);
        return this.save(fields);
      },
    });
    if (saved) this.render(existing ? t("字段已保存", "Field saved") : t("字段已添加", "Field added"));
  }

  async move(index, direction) {
    const fields = [...this.table.fields];
    const [field] = fields.splice(index, 1);
    fields.splice(index + direction, 0, field);
    try {
      await this.save(fields);
      this.render(t("顺序已调整", "Order changed"));
    } catch (err) {
      this.render(errorText(err), true);
    }
  }

  async remove(index) {
    const field = this.table.fields[index];
    const ok = await confirmDialog(t(`删除字段“${field.name}”？`, `Delete field "${field.name}"?`));
    if (!ok) return;
    try {
      await this.save(this.table.fields.filter((_, i) => i !== index));
      this.render(`${t("已删除", "Deleted")}: ${field.name}`);
    } catch (err) {
      this.render(errorText(err), true);
    }
  }
}

// ---- the list ---------------------------------------------------------------------------

class TableManager extends ResourceManager {
  actionCell(item) {
    const td = super.actionCell(item);
    const edit = td.querySelector("button");
    const add = (label, action, handler) => {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.action = action;
      button.textContent = L(label);
      button.setAttribute("aria-label", `${L(label)} ${item.name}`);
      button.addEventListener("click", handler);
      edit.before(button);
    };
    add(["字段", "Fields"], "fields", () => new FieldsDialog(item, this).open());
    if (item.status !== "published") add(["发布", "Publish"], "publish", () => this.publish(item));
    return td;
  }

  async publish(item) {
    const ok = await confirmDialog(
      t(
        `发布基础表“${item.name}”？发布后可以导入数据；字段不能再删除，类型、索引和加密设置不能再修改。`,
        `Publish base table "${item.name}"? Data can then be imported; fields can no longer be removed, and their type, index and encryption settings can no longer change.`,
      ),
      ["发布", "Publish"],
    );
    if (!ok) return;
    try {
      await api("POST", `${ENDPOINT}/${item.id}/publish`);
      await this.load();
      this.status(`${t("已发布", "Published")}: ${item.name}`);
    } catch (err) {
      this.status(errorText(err), true);
    }
  }
}

const manager = new TableManager(document.getElementById("resource"), {
  endpoint: ENDPOINT,
  title: ["基础表配置", "Base tables"],
  limit: {
    id: "table",
    label: ["基础表数", "Tables"],
    reason: (n) => [`最多只能创建 ${n} 个基础表。`, `A tenant can have at most ${n} base tables.`],
  },
  noun: ["基础表", "base table"],
  intro: [
    "创建基础表，单击“字段”为表添加字段，然后发布。已发布的表才能导入数据（“数据表查询”），并可在自定义页面中使用；发布后仍可新增非必填字段，但字段不能删除，类型、索引和加密设置也不能再修改。",
    "Create a base table, add its fields with \"Fields\", then publish it. Only published tables take data (under \"Table data\") and can be used by custom pages; after publishing you can still add optional fields, but a field cannot be removed and its type, index and encryption settings cannot change.",
  ],
  empty: ["还没有基础表。新建一个，再为它添加字段并发布。", "No base tables yet. Create one, add its fields, then publish it."],
  columns: [
    { key: "name", label: ["表名称", "Name"], render: (b) => `<span data-name>${escapeHtml(b.name)}</span>` },
    { key: "description", label: ["描述", "Description"] },
    {
      key: "status", label: ["状态", "Status"],
      render: (b) => badge(b.status === "published" ? "ok" : "", L(STATUS[b.status] || [b.status, b.status]), `data-status="${escapeHtml(b.status)}"`),
    },
    {
      key: "fields", label: ["字段", "Fields"],
      render: (b) => {
        const c = fieldCounts(b.fields);
        return `<span class="field-summary" data-field-count="${b.fields.length}">${escapeHtml(
          t(`${b.fields.length} 个（索引 ${c.index}，普通 ${c.ordinary}，加密 ${c.encrypted}）`, `${b.fields.length} (${c.index} index, ${c.ordinary} ordinary, ${c.encrypted} encrypted)`),
        )}</span>`;
      },
    },
    { key: "row_count", label: ["数据行数", "Rows"] },
  ],
  fields: [
    { name: "name", label: ["表名称", "Name"], hint: ["租户内唯一", "Unique in the tenant"] },
    { name: "description", label: ["描述", "Description"], widget: "textarea" },
  ],
  // The list's edit dialog changes the name and description; the fields go back unchanged.
  prepare: (values, mode, item) => ({ ...values, fields: mode === "edit" ? item.fields.map(toWrite) : [] }),
});
manager.start();
