// Outbound numbers [外呼号码] (operations console): the platform's numbers and their tenants.
import { mountResource } from "/static/crud.js";

mountResource(document.getElementById("resource"), {
  endpoint: "/api/ops/outbound-numbers",
  title: ["外呼号码", "Outbound numbers"],
  noun: ["外呼号码", "outbound number"],
  nameKey: "number",
  intro: ["座席外呼时向客户显示的主叫号码。", "The caller number customers see when the tenant's agents call out."],
  empty: ["还没有外呼号码。", "No outbound numbers yet."],
  sources: { tenants: "/api/ops/tenants" },
  columns: [
    { key: "number", label: ["号码", "Number"] },
    { key: "tenant_id", label: ["分配给租户", "Assigned tenant"], source: "tenants", sourceLabel: (x) => `${x.code} · ${x.name}`, emptyLabel: ["未分配", "Unassigned"] },
  ],
  fields: [
    { name: "number", label: ["号码", "Number"] },
    { name: "tenant_id", label: ["分配给租户", "Assigned tenant"], source: { name: "tenants", label: (x) => `${x.code} · ${x.name}` }, nullable: true, blankLabel: ["未分配", "Unassigned"] },
  ],
});
