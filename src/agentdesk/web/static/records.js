// Contact records [接触记录] (configuration center): read-only list of the tenant's calls.
import { mountResource } from "/static/crud.js";
import { escapeHtml, t } from "/static/ad.js";

const DIRECTIONS = { 0: ["呼入", "Inbound"], 1: ["呼出", "Outbound"] };
const OUTCOMES = {
  completed: ["已完成", "Completed"],
  abandoned: ["客户放弃", "Abandoned by customer"],
  rejected: ["客户拒接", "Rejected by customer"],
  cancelled: ["座席取消", "Cancelled by agent"],
  no_answer: ["无人应答", "No answer"],
  timeout_released: ["排队超时释放", "Released on queue time-out"],
  overflow_released: ["排队遇忙、溢出释放", "Released on busy / overflow"],
  no_agent_released: ["无人上班释放", "Released: no agent on duty"],
  too_many_transfers: ["转接次数过多", "Too many transfers"],
};
const MEDIA = { audio: ["音频", "Audio"], video: ["视频", "Video"], multimedia: ["多媒体", "Multimedia"], chat: ["文字交谈", "Chat"] };
const when = (value) => (value ? escapeHtml(new Date(/[Zz+]/.test(value.slice(10)) ? value : `${value}Z`).toLocaleString()) : "");
const pair = (labels, value) => escapeHtml(labels[value] ? t(...labels[value]) : value ?? "");

function attached(data) {
  const entries = Object.entries(data || {});
  if (!entries.length) return "";
  return `<ul class="attached">${entries.map(([k, v]) => `<li class="kv">${escapeHtml(k)}=${escapeHtml(v)}</li>`).join("")}</ul>`;
}

mountResource(document.getElementById("resource"), {
  endpoint: "/api/config/contact-records",
  title: ["接触记录", "Contact records"],
  noun: ["接触记录", "contact record"],
  idKey: "callid",
  nameKey: "callid",
  create: false, update: false, remove: false,
  pageSize: 50,
  empty: ["还没有接触记录。", "No contact records yet."],
  sources: { queues: "/api/config/queues" },
  filters: [
    { name: "from", label: ["开始时间", "From"], widget: "datetime" },
    { name: "to", label: ["结束时间", "To"], widget: "datetime" },
    { name: "number", label: ["号码（主叫或被叫）", "Number (caller or called)"], maxLength: 32 },
    { name: "work_no", label: ["座席工号", "Agent work number"], widget: "number", minimum: 101, maximum: 999999 },
    { name: "queue_id", label: ["技能队列", "Skill queue"], source: "queues", blankLabel: ["全部", "All"] },
    { name: "callid", label: ["呼叫ID (callid)", "Call ID (callid)"], maxLength: 40 },
  ],
  columns: [
    { key: "created_at", label: ["时间", "Time"], render: (r) => when(r.created_at) },
    { key: "callid", label: ["呼叫ID", "Call ID"], render: (r) => `<span class="kv">${escapeHtml(r.callid)}</span>` },
    { key: "direction", label: ["方向", "Direction"], render: (r) => pair(DIRECTIONS, r.direction) },
    { key: "media", label: ["媒体", "Media"], render: (r) => pair(MEDIA, r.media) },
    { key: "caller", label: ["主叫号码", "Caller"] },
    { key: "called", label: ["被叫号码", "Called"] },
    { key: "queue_name", label: ["技能队列", "Skill queue"] },
    { key: "work_no", label: ["座席", "Agent"], render: (r) => (r.work_no ? `${escapeHtml(r.work_no)} ${escapeHtml(r.agent_name || "")}` : "") },
    { key: "outcome", label: ["结果", "Outcome"], render: (r) => pair(OUTCOMES, r.outcome) || escapeHtml(r.state) },
    { key: "answered_at", label: ["应答 / 结束", "Answered / ended"], render: (r) => `${when(r.answered_at) || "—"}<br>${when(r.ended_at) || "—"}` },
    { key: "attached_data", label: ["随路数据", "Attached data"], render: (r) => attached(r.attached_data) },
  ],
  fields: [],
});
