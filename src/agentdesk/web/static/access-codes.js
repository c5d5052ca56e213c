// Access codes [接入码] (operations console): the platform's codes and the tenant each is
// assigned to.
import { mountResource } from "/static/crud.js";

mountResource(document.getElementById("resource"), {
  endpoint: "/api/ops/access-codes",
  title: ["接入码", "Access codes"],
  noun: ["接入码", "access code"],
  intro: ["接入码属于平台，分配给至多一个租户。", "Access codes belong to the platform and are assigned to at most one tenant."],
  empty: ["还没有接入码。", "No access codes yet."],
  sources: { tenants: "/api/ops/tenants" },
  columns: [
    { key: "code", label: ["接入码", "Access code"] },
    { key: "type", label: ["类型", "Type"], labels: { voice_video: ["音视频", "Audio/video"], multimedia: ["多媒体", "Multimedia"] } },
    { key: "tenant_id", label: ["分配给租户", "Assigned tenant"], source: "tenants", sourceLabel: (x) => `${x.code} · ${x.name}`, emptyLabel: ["未分配", "Unassigned"] },
  ],
  fields: [
    { name: "code", label: ["接入码", "Access code"], hint: ["数字", "Digits"] },
    { name: "type", label: ["类型", "Type"], labels: { voice_video: ["音视频", "Audio/video"], multimedia: ["多媒体", "Multimedia"] } },
    { name: "tenant_id", label: ["分配给租户", "Assigned tenant"], source: { name: "tenants", label: (x) => `${x.code} · ${x.name}` }, nullable: true, blankLabel: ["未分配", "Unassigned"] },
  ],
});
