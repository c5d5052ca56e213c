// Tenants [租户] and their licences (operations console).
import { escapeHtml } from "/static/ad.js";
import { mountResource } from "/static/crud.js";

// "used / licensed": agents the tenant has configured of that kind, and its licence.
const used = (kind) => (item) =>
  `<span data-used="${kind}">${escapeHtml(item.in_use?.[kind] ?? 0)}</span> / <b>${escapeHtml(item[`licence_${kind}`])}</b>`;

const LICENCES = ["座席数（许可）", "Licences (agents)"];
const ADMIN = ["租户管理员（可选）", "Tenant admin (optional)"];
mountResource(document.getElementById("resource"), {
  endpoint: "/api/ops/tenants",
  title: ["租户", "Tenants"],
  noun: ["租户", "tenant"],
  nameKey: "code",
  empty: ["还没有租户。", "No tenants yet."],
  intro: ["座席列显示“已配置 / 许可”数量；许可数不能低于已配置的座席数。", "Agent columns show configured / licensed; a licence cannot go below the agents already configured."],
  columns: [
    { key: "code", label: ["租户编码", "Code"] },
    { key: "name", label: ["名称", "Name"] },
    { key: "licence_audio", label: ["音频座席", "Audio agents"], render: used("audio") },
    { key: "licence_video", label: ["视频座席", "Video agents"], render: used("video") },
    { key: "licence_multimedia", label: ["多媒体座席", "Multimedia agents"], render: used("multimedia") },
    { key: "licence_allround", label: ["全能型座席", "All-round agents"], render: used("allround") },
    { key: "licence_intelligent", label: ["智能识别", "Intelligent recognition"], render: used("intelligent") },
  ],
  fields: [
    { name: "code", label: ["租户编码", "Code"], hint: ["模拟器与登录中使用", "Used by the simulator and in logins"] },
    { name: "name", label: ["名称", "Name"] },
    { name: "licence_audio", label: ["音频座席数", "Audio agents"], section: LICENCES },
    { name: "licence_video", label: ["视频座席数", "Video agents"], section: LICENCES },
    { name: "licence_multimedia", label: ["多媒体座席数", "Multimedia agents"], section: LICENCES },
    { name: "licence_allround", label: ["全能型座席数", "All-round agents"], section: LICENCES },
    { name: "licence_intelligent", label: ["智能识别座席数", "Intelligent recognition agents"], section: LICENCES },
    { name: "admin_username", label: ["管理员账号", "Admin username"], section: ADMIN, createOnly: true, nullable: true, autocomplete: "off" },
    { name: "admin_password", label: ["管理员密码", "Admin password"], widget: "password", section: ADMIN, createOnly: true },
  ],
});
