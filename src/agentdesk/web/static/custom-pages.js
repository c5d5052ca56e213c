// Custom pages [页面配置] (R-EXT-3, R-TBL-3): at most five pages, each with a layout [页面布局]
// (block or tile, 2–4 per row) and a page interface [页面接口] — an external interface the
// operations admin mapped to the tenant, or the internal interface with up to five objects over
// base tables. Publish [发布] makes a page available to pop pages of type internal; Preview
// renders the page for a sample caller number exactly as the workbench tab will.
//
// Base tables: when the API offers GET /api/config/base-tables, an object's table is chosen from
// it; until then the table id is typed. Fields are typed as a comma-separated list.
import { api, escapeHtml, t } from "/static/ad.js";
import { ResourceManager, confirmDialog, openApi } from "/static/crud.js";
import { L, errorText } from "/static/crud-form.js";

const ENDPOINT = "/api/config/custom-pages";
const BASE_TABLES = "/api/config/base-tables";
const LAYOUTS = { block: ["分块布局", "Blocks"], tile: ["平铺布局", "Tiles"] };
const INTERFACE_TYPES = { external: ["外部接口", "External interface"], internal: ["内部接口", "Internal interface"] };
const badge = (kind, text, attrs = "") => `<span class="badge ${kind}" ${attrs}>${escapeHtml(text)}</span>`;
let sequence = 0;

function splitFields(text) {
  if (Array.isArray(text)) return text;
  return String(text ?? "")
    .split(/[,，;；\n]+/)
    .map((part) => part.trim())
    .filter(Boolean);
}

function interfaceHtml(page, ctx) {
  if (page.interface_type === "external") {
    const name = page.interface_name ?? `#${page.interface_id}`;
    return `${escapeHtml(L(INTERFACE_TYPES.external))}: ${escapeHtml(name)}`;
  }
  if (page.interface_type === "internal") {
    const tables = ctx.sources.tables || [];
    const items = page.objects
      .map((o) => {
        const table = tables.find((x) => x.id === o.table_id);
        const tableName = table ? table.name : `#${o.table_id}`;
        return `<li>${escapeHtml(o.name)} — ${escapeHtml(tableName)}: ${escapeHtml(o.fields.join(", "))}</li>`;
      })
      .join("");
    return `${escapeHtml(L(INTERFACE_TYPES.internal))}<ul class="object-list">${items}</ul>`;
  }
  return `<span class="muted">${escapeHtml(t("未配置", "Not configured"))}</span>`;
}

function objectFields(hasTables) {
  const table = hasTables
    ? {
        name: "table_id", label: ["基础表", "Base table"], widget: "select", required: true, source: "tables",
        filter: (table) => table.status === "published", hint: ["已发布的基础表", "A published base table"],
      }
    : { name: "table_id", label: ["基础表 ID", "Base table id"], widget: "number", required: true };
  // With the tables known, the fields are checkboxes of the chosen table's fields (in the
  // table's order); otherwise they are typed.
  const fields = hasTables
    ? {
        name: "fields", label: ["已选字段", "Chosen fields"], widget: "checks", required: true,
        optionsOf: (row, ctx) =>
          ((ctx.sources.tables || []).find((x) => x.id === row.table_id)?.fields || []).map((f) => ({
            value: f.name,
            label: f.name,
          })),
        emptyLabel: ["请先选择基础表", "Choose a base table first"],
      }
    : {
        name: "fields", label: ["已选字段", "Chosen fields"], widget: "text", required: true,
        placeholder: ["姓名, 手机号码", "name, mobile"],
      };
  return [
    { name: "name", label: ["对象名称", "Object name"], widget: "text", required: true },
    table,
    fields,
  ];
}

/** Preview [预览]: the page rendered by the server for a sample caller, in a frame (the
 * frame's own form changes the number). */
function openPreview(page) {
  const dialog = document.createElement("dialog");
  const id = `preview-dlg-${++sequence}`;
  dialog.className = "preview-dialog";
  dialog.setAttribute("aria-labelledby", id);
  const src = `/config/custom-pages/${page.id}/preview?caller=13800000001`;
  dialog.innerHTML = `<h2 id="${id}">${escapeHtml(t(`预览：${page.name}`, `Preview: ${page.name}`))}</h2>
    <iframe class="preview-frame" title="${escapeHtml(t("页面预览", "Page preview"))}" src="${escapeHtml(src)}"></iframe>
    <div class="dialog-actions"><button type="button" data-close>${escapeHtml(t("关闭", "Close"))}</button></div>`;
  document.body.append(dialog);
  dialog.addEventListener("close", () => dialog.remove());
  dialog.querySelector("[data-close]").addEventListener("click", () => dialog.close());
  dialog.showModal();
}

class CustomPageManager extends ResourceManager {
  async setPublished(item, publish) {
    if (!publish) {
      const ok = await confirmDialog(
        t(`取消发布“${item.name}”？使用它的内部弹屏页面将不再显示它。`, `Unpublish "${item.name}"? Internal pop pages using it will stop showing it.`),
        ["取消发布", "Unpublish"],
      );
      if (!ok) return;
    }
    try {
      await api("POST", `${ENDPOINT}/${item.id}/${publish ? "publish" : "unpublish"}`);
      await this.load();
      this.status(`${publish ? t("已发布", "Published") : t("已取消发布", "Unpublished")}: ${item.name}`);
    } catch (err) {
      this.status(`${item.name}: ${errorText(err)}`, true);
    }
  }
}

async function start() {
  const spec = await openApi();
  const hasTables = Boolean(spec.paths?.[BASE_TABLES]?.get);
  const sources = { interfaces: "/api/config/interfaces" };
  if (hasTables) sources.tables = BASE_TABLES;
  const manager = new CustomPageManager(document.getElementById("resource"), {
    endpoint: ENDPOINT,
    title: ["页面配置", "Custom pages"],
    limit: {
      id: "page",
      label: ["页面数", "Pages"],
      reason: (n) => [
        `最多只能创建 ${n} 个自定义页面。请先删除不用的页面。`,
        `A tenant can have at most ${n} custom pages. Delete one you no longer need first.`,
      ],
    },
    noun: ["自定义页面", "custom page"],
    intro: [
      "自定义页面在座席接听来话时显示主叫客户的信息：数据来自运营管理员映射给本租户的外部接口，或来自本租户的基础表（内部接口）。发布后，可在弹屏配置中作为“内部页面”使用；修改已发布的页面后，下一次来话即显示新版本。",
      "A custom page shows the caller's data when an agent answers: from an external interface the operations admin mapped to this tenant, or from this tenant's base tables (the internal interface). Once published it can be used by a pop page of type internal; changes to a published page show on the next call.",
    ],
    empty: ["还没有自定义页面。", "No custom pages yet."],
    sources,
    columns: [
      { key: "name", label: ["页面名称", "Page name"] },
      {
        key: "layout", label: ["页面布局", "Layout"],
        render: (p) => escapeHtml(`${L(LAYOUTS[p.layout] || p.layout)} · ${t(`每行 ${p.columns} 个`, `${p.columns} per row`)}`),
      },
      { key: "interface_type", label: ["页面接口", "Page interface"], render: interfaceHtml },
      {
        key: "published", label: ["页面状态", "Status"],
        render: (p) => (p.published ? badge("ok", t("已发布", "Published"), "data-published") : badge("", t("未发布", "Draft"), "data-draft")),
      },
    ],
    fields: [
      { name: "name", label: ["页面名称", "Page name"], widget: "text", hint: ["不可重复", "Unique in the tenant"] },
      { name: "layout", label: ["布局类型", "Layout type"], labels: LAYOUTS, required: true, section: ["页面布局", "Layout"], group: "layout" },
      {
        name: "columns", label: ["排列个数", "Per row"], section: ["页面布局", "Layout"], group: "layout", required: true,
        options: [2, 3, 4].map((n) => ({ value: n, label: [String(n), String(n)] })),
        hint: ["分块布局：每个对象内每行的字段数；平铺布局：每行的对象数", "Blocks: fields per row inside each object; tiles: objects per row"],
      },
      {
        name: "interface_type", label: ["页面接口", "Page interface"], labels: INTERFACE_TYPES, section: ["页面接口", "Page interface"],
        blankLabel: ["暂不配置", "Not yet"],
      },
      {
        name: "interface_id", label: ["外部接口", "External interface"], source: "interfaces", required: true, section: ["页面接口", "Page interface"],
        emptyLabel: ["没有可用的外部接口", "No external interface available"],
        hint: ["外部接口需要在接口管理中进行配置，请联系系统运营管理员。", "External interfaces are configured under Interfaces; ask the operations admin."],
        showIf: (values) => values.interface_type === "external",
      },
      {
        name: "objects", label: ["对象", "Objects"], widget: "rows", section: ["页面接口", "Page interface"],
        addLabel: ["添加对象", "Add object"], fields: objectFields(hasTables),
        hint: hasTables
          ? ["最多 5 个对象；字段以逗号分隔", "At most 5 objects; fields separated by commas"]
          : ["最多 5 个对象；基础表接口尚未提供，请填写基础表 ID；字段以逗号分隔", "At most 5 objects; base tables are not available yet: type the table id; fields separated by commas"],
        showIf: (values) => values.interface_type === "internal",
      },
    ],
    defaults: () => ({ layout: "block", columns: 2, objects: [] }),
    prepare: (values) => ({
      ...values,
      objects: (values.objects || []).map((o) => ({ ...o, fields: splitFields(o.fields) })),
    }),
    actions: [
      { label: ["发布", "Publish"], show: (p) => !p.published, run: (p, m) => m.setPublished(p, true) },
      { label: ["取消发布", "Unpublish"], show: (p) => p.published, run: (p, m) => m.setPublished(p, false) },
      { label: ["预览", "Preview"], run: (p) => openPreview(p) },
    ],
  });
  await manager.start();
}

start();
