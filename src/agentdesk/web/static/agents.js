// Agents [座席管理] (configuration center): agents, their skills and settings, and batch
// configuration by a list or range of work numbers.
import { api, escapeHtml, t } from "/static/ad.js";
import { formDialog, mountResource, openApi } from "/static/crud.js";
import { bodySchema, mergeField } from "/static/crud-form.js";

const ROLES = { operator: ["普通话务员", "Regular operator"], inspector: ["质检员", "Quality inspector"], outbound: ["外呼座席", "Outbound agent"] };
const TYPES = { audio: ["音频座席", "Audio"], video: ["视频座席", "Video"], multimedia: ["多媒体座席", "Multimedia"], allround: ["全能型座席", "All-round"] };
const FLAGS = ["座席属性", "Agent options"];
const SKILLS = ["技能队列", "Skill queues"];
const queueName = (ctx, id) => (ctx.sources.queues || []).find((q) => q.id === id)?.name ?? id;
// Audio/video agents serve voice/video queues, multimedia agents multimedia ones, all-round any.
const queueFits = (queue, agentType) =>
  agentType === "allround" || !agentType || (queue.type === "multimedia") === (agentType === "multimedia");
const userLabel = (u) => (u.display_name ? `${u.username} (${u.display_name})` : u.username);

// The per-agent settings; batch configuration applies the same ones to many work numbers.
const settings = [
  { name: "platform_role", label: ["平台角色", "Platform role"], labels: ROLES },
  { name: "agent_type", label: ["座席类型", "Agent type"], labels: TYPES },
  { name: "phone", label: ["座席电话", "Agent phone"] },
  { name: "agent_weight", label: ["座席权值", "Agent weight"] },
  { name: "intelligent", label: ["智能识别（占用租户许可）", "Intelligent recognition (uses the tenant's licence)"], section: FLAGS },
  { name: "single_phone", label: ["单电话座席", "Single-phone agent"], section: FLAGS },
  { name: "display_through", label: ["座席透显", "Agent display-through"], section: FLAGS },
  { name: "auto_answer", label: ["自动应答", "Answer automatically"], section: FLAGS },
  {
    name: "skills", label: ["技能队列及技能权值", "Skill queues and skill weights"], widget: "rows", section: SKILLS,
    addLabel: ["添加技能队列", "Add skill queue"],
    hint: ["同一座席的技能队列须为同一媒体类型（全能型座席除外）", "All queues of one agent share one media type unless the agent is all-round"],
    fields: [
      { name: "queue_id", label: ["技能队列", "Skill queue"], widget: "select", source: "queues", required: true, filter: (q, values) => queueFits(q, values.agent_type) },
      { name: "skill_weight", label: ["技能权值", "Skill weight"], widget: "number" },
    ],
  },
];

async function batch(manager) {
  const spec = await openApi();
  const schema = bodySchema(spec, "/api/config/agents/batch", "post") || { properties: {} };
  await manager.loadSources();
  const range = schema.properties.range?.properties || {};
  const fields = [
    { name: "mode", label: ["配置方式", "Select agents by"], widget: "select", required: true, options: [
      { value: "list", label: ["工号列表", "List of work numbers"] },
      { value: "range", label: ["工号范围", "Range of work numbers"] },
    ] },
    { name: "work_nos", label: ["平台工号列表", "Work numbers"], widget: "lines", hint: ["每行一个，或用逗号分隔", "One per line or comma-separated"], showIf: (v) => v.mode === "list" },
    { name: "range_start", label: ["起始工号", "First work number"], widget: "number", ...bounds(range.start), showIf: (v) => v.mode === "range", group: "range" },
    { name: "range_end", label: ["结束工号", "Last work number"], widget: "number", ...bounds(range.end), showIf: (v) => v.mode === "range", group: "range" },
    ...settings,
  ].map((f) => mergeField(f, schema));
  const result = await formDialog({
    title: ["批量配置座席", "Batch configuration"],
    intro: ["为多个平台工号一次性创建或更新座席，使用相同的设置。", "Create or update the agents with these work numbers, all with the same settings."],
    fields: fields.filter((f) => ["mode", "work_nos", "range_start", "range_end"].includes(f.name) || f.name in schema.properties),
    item: { mode: "list" },
    ctx: { ...manager.ctx, mode: "create" },
    saveLabel: ["批量配置", "Apply"],
    mapErrorField: (field) => field.replace(/^range\.start$/, "range_start").replace(/^range\.end$/, "range_end").replace(/^range$/, "range_start"),
    submit: (values) => {
      const { mode, work_nos, range_start, range_end, ...rest } = values;
      const body = mode === "range" ? { ...rest, range: { start: range_start, end: range_end } } : { ...rest, work_nos };
      return api("POST", "/api/config/agents/batch", body);
    },
  });
  if (result) {
    await manager.reload();
    const count = result.items?.length ?? result.count ?? result.total;
    manager.status(count !== undefined ? t(`已配置 ${count} 个座席`, `Configured ${count} agents`) : t("批量配置完成", "Batch configuration done"));
  }
}

function bounds(prop) {
  return prop ? { minimum: prop.minimum, maximum: prop.maximum } : {};
}

mountResource(document.getElementById("resource"), {
  endpoint: "/api/config/agents",
  title: ["座席管理", "Agents"],
  noun: ["座席", "agent"],
  nameKey: "work_no",
  empty: ["还没有座席。新建一个，或用批量配置按工号列表或范围创建。", "No agents yet. Create one, or use batch configuration with a list or range of work numbers."],
  sources: { queues: "/api/config/queues", users: "/api/config/users" },
  sort: (a, b) => a.work_no - b.work_no,
  toolbar: [{ label: ["批量配置", "Batch configuration"], run: batch }],
  columns: [
    { key: "work_no", label: ["平台工号", "Work number"] },
    { key: "platform_role", label: ["平台角色", "Platform role"], labels: ROLES },
    { key: "agent_type", label: ["座席类型", "Agent type"], labels: TYPES },
    { key: "user_id", label: ["业务账号", "Business account"], source: "users", sourceLabel: userLabel, emptyLabel: ["未绑定", "Not linked"] },
    { key: "phone", label: ["座席电话", "Agent phone"] },
    { key: "agent_weight", label: ["座席权值", "Agent weight"] },
    {
      key: "skills", label: ["技能队列(技能权值)", "Skill queues (weight)"],
      render: (a, ctx) => escapeHtml((a.skills || []).map((s) => `${queueName(ctx, s.queue_id)} (${s.skill_weight})`).join(", ")),
    },
    {
      key: "intelligent", label: ["属性", "Options"],
      render: (a) => escapeHtml([
        a.intelligent && t("智能识别", "Intelligent"), a.single_phone && t("单电话座席", "Single phone"),
        a.display_through && t("座席透显", "Display-through"), a.auto_answer === false && t("手动应答", "Manual answer"),
      ].filter(Boolean).join(", ")),
    },
  ],
  fields: [
    { name: "work_no", label: ["平台工号", "Work number"] },
    { name: "user_id", label: ["业务账号", "Business account"], source: { name: "users", label: userLabel }, blankLabel: ["（不绑定）", "(not linked)"] },
    ...settings,
  ],
});
