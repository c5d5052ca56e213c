// Called configuration [被叫配置] (configuration center): access code (+ extension) → skill queue,
// or (device type IVR) a published IVR flow [流程管理] on an audio/video access code.
import { mountResource } from "/static/crud.js";
import { escapeHtml, t } from "/static/ad.js";

const FAMILY = { voice_video: ["音视频", "Audio/video"], multimedia: ["多媒体", "Multimedia"] };
const DEVICES = { skill_queue: ["技能队列", "Skill queue"], ivr: ["IVR", "IVR"] };
const codeOf = (ctx, id) => (ctx.sources.codes || []).find((c) => c.id === id);
// A voice/video access code reaches voice/video queues; a multimedia one multimedia queues.
const isIvr = (values) => values.device_type === "ivr";
const isVoiceVideoCode = (values, ctx) => codeOf(ctx, values.access_code_id)?.type !== "multimedia";
const queueFits = (queue, code) => !code || (queue.type === "multimedia") === (code.type === "multimedia");

mountResource(document.getElementById("resource"), {
  endpoint: "/api/config/called-configs",
  title: ["被叫配置", "Called configuration"],
  noun: ["被叫配置", "called configuration"],
  intro: ["客户拨打 接入码+扩展码（例如 12345 + 1 = 123451）即进入所配置的技能队列或IVR流程（仅音视频接入码，流程须已发布）。", "A customer dialling access code + extension (e.g. 12345 + 1 = 123451) reaches the configured skill queue or IVR flow (audio/video access codes only; the flow must be published)."],
  empty: ["还没有被叫配置。", "No called configuration yet."],
  sources: { codes: "/api/config/access-codes", queues: "/api/config/queues", ivr: "/api/config/ivr-flows" },
  nameKey: "dialled",
  columns: [
    { key: "access_code_id", label: ["接入码", "Access code"], source: "codes", sourceLabel: (c) => c.code },
    { key: "extension", label: ["扩展码", "Extension"], render: (c) => c.extension ? escapeHtml(c.extension) : `<span class="muted">${t("（无）", "(none)")}</span>` },
    { key: "dialled", label: ["客户拨打号码", "Customer dials"], render: (c, ctx) => `<span class="kv">${escapeHtml((codeOf(ctx, c.access_code_id)?.code ?? "") + (c.extension || ""))}</span>` },
    { key: "device_type", label: ["设备类型", "Device type"], labels: DEVICES },
    { key: "queue_id", label: ["技能队列", "Skill queue"], source: "queues" },
    { key: "flow_id", label: ["IVR流程", "IVR flow"], source: "ivr" },
  ],
  fields: [
    {
      name: "access_code_id", label: ["接入码", "Access code"], source: { name: "codes", label: (c) => `${c.code} (${t(...(FAMILY[c.type] || [c.type, c.type]))})` },
      emptyLabel: ["没有分配给本租户的接入码，请联系运营管理员。", "No access codes are assigned to this tenant; ask the operations admin."],
    },
    { name: "extension", label: ["扩展码", "Extension"], hint: ["可选，数字", "Optional, digits"], nullable: false },
    {
      name: "device_type", label: ["设备类型", "Device type"], labels: DEVICES,
      optionFilter: (value, values, ctx) => value !== "ivr" || isVoiceVideoCode(values, ctx),
    },
    {
      name: "queue_id", label: ["技能队列", "Skill queue"], source: "queues", required: true,
      hint: ["媒体类型须与接入码一致", "Media type must match the access code"],
      filter: (queue, values, ctx) => queueFits(queue, codeOf(ctx, values.access_code_id)),
      showIf: (values) => !isIvr(values),
    },
    {
      name: "flow_id", label: ["IVR流程", "IVR flow"], source: "ivr", required: true,
      hint: ["仅列出已发布的流程", "Published flows only"],
      filter: (flow) => flow.published_version > 0,
      showIf: (values) => isIvr(values),
    },
  ],
});
