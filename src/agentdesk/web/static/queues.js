// Skill queues [技能队列] (configuration center): the list and form of queues with their
// time-out, overflow and no-agent policies; field rules come from the API's OpenAPI schema.
import { mountResource } from "/static/crud.js";
import { escapeHtml, t } from "/static/ad.js";

const TYPES = {
  voice: ["语音", "Voice"],
  video: ["视频", "Video"],
  multimedia: ["多媒体", "Multimedia"],
  voice_click: ["语音点击通话", "Voice click-to-call"],
  video_click: ["视频点击通话", "Video click-to-call"],
};
const SUBTYPES = { wechat: ["微信", "WeChat"], email: ["邮件", "Email"], whatsapp: ["WhatsApp", "WhatsApp"], web: ["网页", "Web"] };
const ACTIONS = { release: ["释放", "Release"], transfer_queue: ["转接技能队列", "Transfer to queue"], transfer_ivr: ["转接IVR流程", "Transfer to IVR flow"] };
const WAIT = { default_tone: ["默认提示音", "Default tone"], custom_tone: ["自定义提示音", "Custom tone"], ivr: ["IVR流程", "IVR flow"] };
const HOLD = { default_tone: ["默认提示音", "Default tone"], custom_tone: ["自定义提示音", "Custom tone"] };
const ANSWER = { announce_work_no: ["报工号", "Announce work number"], silent: ["不报工号", "Silent"] };
const POLICIES = ["参数配置", "Policies"];
const isVoiceVideo = (values) => values.type !== "multimedia";

// One policy: what to do (release / transfer), and the target queue of the same type.
function policy(prefix, label) {
  return [
    {
      name: `${prefix}_action`, label, section: POLICIES, labels: ACTIONS, group: prefix,
      optionFilter: (value, values) => value !== "transfer_ivr" || isVoiceVideo(values),
    },
    {
      name: `${prefix}_target_queue_id`, label: [`${label[0]} - 目标技能队列`, `${label[1]}: target queue`],
      section: POLICIES, source: "queues", group: prefix, required: true,
      hint: ["仅列出同类型的技能队列", "Only queues of the same type"],
      filter: (queue, values, ctx) => queue.type === values.type && queue.id !== ctx.item?.id,
      showIf: (values) => values[`${prefix}_action`] === "transfer_queue",
    },
    {
      name: `${prefix}_target_ivr_id`, label: [`${label[0]} - IVR流程`, `${label[1]}: IVR flow`],
      section: POLICIES, source: "ivr", group: prefix, required: true,
      showIf: (values) => values[`${prefix}_action`] === "transfer_ivr" && isVoiceVideo(values),
    },
  ];
}

const policySummary = (queue, prefix, queues) => {
  const action = queue[`${prefix}_action`];
  const target = queues.find((q) => q.id === queue[`${prefix}_target_queue_id`]);
  const text = t(...(ACTIONS[action] || [action, action]));
  return target ? `${text} → ${target.name}` : text;
};

mountResource(document.getElementById("resource"), {
  endpoint: "/api/config/queues",
  title: ["技能队列", "Skill queues"],
  noun: ["技能队列", "skill queue"],
  empty: ["还没有技能队列。新建一个，再在被叫配置中把接入码指向它。", "No skill queues yet. Create one, then point an access code at it under Called configuration."],
  sources: { queues: "/api/config/queues", ivr: "/api/config/ivr-flows" },
  columns: [
    { key: "name", label: ["名称", "Name"] },
    { key: "type", label: ["类型", "Type"], render: (q) => escapeHtml(t(...(TYPES[q.type] || [q.type, q.type])) + (q.subtype ? ` / ${t(...(SUBTYPES[q.subtype] || [q.subtype, q.subtype]))}` : "")) },
    { key: "max_wait_seconds", label: ["最大等待时间(秒)", "Max wait (s)"] },
    { key: "max_queued_calls", label: ["最大排队人数", "Max queued calls"] },
    { key: "acw_seconds", label: ["整理态时长(秒)", "After-call work (s)"] },
    {
      key: "timeout_action", label: ["参数配置", "Policies"],
      render: (q, ctx) => {
        const queues = ctx.sources.queues || [];
        return [
          [["排队超时", "Queue time-out"], "timeout"],
          [["排队遇忙、溢出", "Busy / overflow"], "overflow"],
          [["无人上班", "No agent on duty"], "no_agent"],
        ].map(([label, prefix]) => `<div><span class="muted">${t(...label)}:</span> ${escapeHtml(policySummary(q, prefix, queues))}</div>`).join("");
      },
    },
    { key: "description", label: ["描述", "Description"] },
  ],
  fields: [
    { name: "name", label: ["名称", "Name"], hint: ["不能包含空格，租户内唯一", "No spaces, unique in the tenant"] },
    { name: "type", label: ["类型", "Type"], labels: TYPES },
    { name: "subtype", label: ["多媒体子类型", "Multimedia sub-type"], labels: SUBTYPES, required: true, showIf: (values) => values.type === "multimedia" },
    { name: "max_wait_seconds", label: ["最大等待时间(秒)", "Max wait (s)"] },
    { name: "max_queued_calls", label: ["最大排队人数", "Max queued calls"] },
    { name: "acw_seconds", label: ["整理态时长(秒)", "After-call work (s)"] },
    { name: "description", label: ["描述", "Description"], widget: "text" },
    ...policy("timeout", ["排队超时", "Queue time-out"]),
    ...policy("overflow", ["排队遇忙、溢出", "Busy / overflow"]),
    ...policy("no_agent", ["无人上班", "No agent on duty"]),
    { name: "wait_treatment", label: ["排队等待处理", "Waiting treatment"], labels: WAIT, section: POLICIES, group: "treatment", showIf: isVoiceVideo },
    {
      name: "wait_ivr_id", label: ["排队等待处理 - IVR流程", "Waiting treatment: IVR flow"], source: "ivr",
      section: POLICIES, group: "treatment", required: true,
      hint: ["排队期间客户进入此流程；座席振铃时流程结束", "Callers run this flow while waiting; it stops when an agent is offered the call"],
      showIf: (values) => values.wait_treatment === "ivr" && isVoiceVideo(values),
    },
    { name: "hold_treatment", label: ["保持处理", "Hold treatment"], labels: HOLD, section: POLICIES, group: "treatment", showIf: isVoiceVideo },
    { name: "answer_mode", label: ["业务代表应答方式", "Representative answer mode"], labels: ANSWER, section: POLICIES, group: "answer" },
  ],
});
