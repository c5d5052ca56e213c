// Roles [角色] (configuration center): named sets of permissions given to business accounts.
import { escapeHtml, t } from "/static/ad.js";
import { mountResource } from "/static/crud.js";

const keyOf = (p) => p.key ?? p.code ?? p.name ?? p.permission ?? p.id;
const labelOf = (p) => (p.label_zh || p.label_en ? t(p.label_zh || keyOf(p), p.label_en || keyOf(p)) : keyOf(p));

mountResource(document.getElementById("resource"), {
  endpoint: "/api/config/roles",
  title: ["角色", "Roles"],
  noun: ["角色", "role"],
  intro: ["角色是一组权限，分配给业务账号。", "A role is a set of permissions given to business accounts."],
  empty: ["还没有自定义角色。", "No custom roles yet."],
  sources: { permissions: "/api/config/permissions" },
  columns: [
    { key: "name", label: ["名称", "Name"] },
    {
      key: "permissions", label: ["权限", "Permissions"],
      render: (r, ctx) => escapeHtml((r.permissions || []).map((key) => {
        const found = (ctx.sources.permissions || []).find((p) => keyOf(p) === key);
        return found ? labelOf(found) : key;
      }).join(", ")),
    },
  ],
  fields: [
    { name: "name", label: ["名称", "Name"] },
    { name: "permissions", label: ["权限", "Permissions"], widget: "checks", multiple: true, source: { name: "permissions", value: "key", label: labelOf } },
  ],
});
