// System parameters [系统参数] (operations console): one value per parameter, changed in a
// dialog whose allowed range comes with the parameter itself.
import { api, escapeHtml, t } from "/static/ad.js";
import { formDialog, mountResource } from "/static/crud.js";
import { mergeField } from "/static/crud-form.js";

const labelOf = (p) => t(p.label_zh, p.label_en);

// One parameter in a dialog: the allowed range comes with the parameter itself.
async function change(param, manager) {
  const field = mergeField({
    name: "value", label: [param.label_zh, param.label_en], widget: "number", required: true,
    minimum: param.minimum, maximum: param.maximum, default: param.default,
  }, null);
  const saved = await formDialog({
    title: ["修改系统参数", "Change system parameter"],
    intro: [`${param.key}`, `${param.key}`],
    fields: [field],
    item: param,
    mapErrorField: () => "value",
    submit: (values) => api("PUT", `/api/ops/system-parameters/${encodeURIComponent(param.key)}`, values),
  });
  if (saved) {
    await manager.reload();
    manager.status(`${t("已保存", "Saved")}: ${labelOf(param)}`);
  }
}

mountResource(document.getElementById("resource"), {
  endpoint: "/api/ops/system-parameters",
  title: ["系统参数", "System parameters"],
  noun: ["系统参数", "system parameter"],
  idKey: "key",
  nameKey: "key",
  create: false, update: false, remove: false,
  pageSize: 50,
  columns: [
    { key: "label_zh", label: ["参数", "Parameter"], render: (p) => `${escapeHtml(labelOf(p))}<br><span class="muted kv">${escapeHtml(p.key)}</span>` },
    { key: "value", label: ["当前值", "Value"], render: (p) => `<b data-value>${escapeHtml(p.value)}</b>` },
    { key: "minimum", label: ["取值范围", "Range"], render: (p) => `<span class="range">${escapeHtml(p.minimum)}–${escapeHtml(p.maximum)}</span>` },
    { key: "default", label: ["默认值", "Default"] },
  ],
  fields: [],
  actions: [{ label: ["修改", "Change"], run: change }],
});
