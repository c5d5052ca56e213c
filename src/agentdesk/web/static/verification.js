// Identity verification in the configuration center (guide 4.4.5): 身份验证流程 /
// Verification methods (figures 4-10/4-11: name, code, flow, enabled, with the toggle in the
// list) and 身份认证记录 / Verification records (filters, CSV export).
import { api, escapeHtml, t } from "/static/ad.js";
import { mountResource } from "/static/crud.js";
import { errorText } from "/static/crud-form.js";

const root = document.getElementById("resource");
const RESULTS = { 0: ["未返回", "Not returned"], 1: ["通过", "Passed"], 2: ["失败", "Failed"], 3: ["异常", "Error"] };
const REASONS = {
  completed: ["已完成", "Completed"],
  customer_hung_up: ["客户挂机", "Customer hung up"],
  cancelled: ["座席取消", "Cancelled by agent"],
  error: ["异常", "Error"],
  "": ["进行中", "In progress"],
};
const pair = (labels, value) => escapeHtml(labels[value] ? t(...labels[value]) : value ?? "");
const when = (value) => (value ? escapeHtml(new Date(/[Zz+]/.test(value.slice(10)) ? value : `${value}Z`).toLocaleString()) : "");

function methods() {
  mountResource(root, {
    endpoint: "/api/config/verification-methods",
    title: ["身份验证流程", "Verification methods"],
    noun: ["身份验证流程", "verification method"],
    intro: ["座席在音视频工作台通话中选择已启用的验证方式，客户进入其验证流程；页面通过 getVerifyResult(验证方式编码) 取得结果。", "During a call the agent picks an enabled method in the audio/video workbench and the customer enters its flow; pages read the result with getVerifyResult(method code)."],
    empty: ["还没有验证方式。先在流程管理中发布一个流程，再新增验证方式。", "No verification methods yet. Publish a flow under IVR flows first, then add a method."],
    sources: { flows: "/api/config/ivr-flows" },
    columns: [
      { key: "name", label: ["验证方式名称", "Method name"] },
      { key: "code", label: ["验证方式编码", "Method code"], render: (m) => `<code>${escapeHtml(m.code)}</code>` },
      { key: "flow_name", label: ["验证流程", "Verification flow"] },
      {
        key: "enabled", label: ["是否启用", "Enabled"],
        render: (m) => `<input type="checkbox" data-enable="${m.id}" ${m.enabled ? "checked" : ""} aria-label="${escapeHtml(t(`启用 ${m.name}`, `Enable ${m.name}`))}">`,
      },
    ],
    fields: [
      { name: "name", label: ["验证方式名称", "Method name"] },
      { name: "code", label: ["验证方式编码", "Method code"], hint: ["字母、数字、下划线，租户内唯一", "Letters, digits, underscore; unique in the tenant"] },
      { name: "flow_id", label: ["验证流程", "Verification flow"], source: "flows", hint: ["启用前须已发布", "Must be published to enable"] },
      { name: "enabled", label: ["是否启用", "Enabled"], widget: "checkbox" },
    ],
    defaults: () => ({ enabled: true }),
  }).then((manager) => {
    root.addEventListener("change", async (event) => {
      const box = event.target.closest("[data-enable]");
      if (!box) return;
      try {
        await api("PUT", `/api/config/verification-methods/${box.dataset.enable}/enabled`, { enabled: box.checked });
        manager.status(box.checked ? t("已启用", "Enabled") : t("已停用", "Disabled"));
      } catch (err) {
        box.checked = !box.checked;
        manager.status(errorText(err), true);
      }
    });
  });
}

function records() {
  const endpoint = "/api/config/verification-records";
  mountResource(root, {
    endpoint,
    title: ["身份认证记录", "Verification records"],
    noun: ["身份认证记录", "verification record"],
    create: false, update: false, remove: false,
    pageSize: 50,
    empty: ["还没有身份认证记录。", "No verification records yet."],
    filters: [
      { name: "from", label: ["开始时间", "From"], widget: "datetime" },
      { name: "to", label: ["结束时间", "To"], widget: "datetime" },
      { name: "work_no", label: ["座席工号", "Agent work number"], maxLength: 16 },
      { name: "method_code", label: ["验证方式编码", "Method code"], maxLength: 32 },
      { name: "result", label: ["验证结果", "Result"], widget: "select", options: ["0", "1", "2", "3"].map((v) => ({ value: v, label: RESULTS[v] })), blankLabel: ["全部", "All"] },
      { name: "callid", label: ["呼叫ID (callid)", "Call ID (callid)"], maxLength: 40 },
    ],
    toolbar: [
      {
        label: ["导出 CSV", "Export CSV"],
        run: (manager) => {
          const query = new URLSearchParams();
          for (const [k, v] of Object.entries(manager.query || {})) if (v !== undefined && v !== null && v !== "") query.set(k, v);
          const link = document.createElement("a");
          link.href = `${endpoint}/export.csv${query.toString() ? `?${query}` : ""}`;
          link.download = "";
          document.body.append(link);
          link.click();
          link.remove();
        },
      },
    ],
    columns: [
      { key: "started_at", label: ["时间", "Time"], render: (r) => when(r.started_at) },
      { key: "callid", label: ["呼叫ID", "Call ID"], render: (r) => `<span class="kv">${escapeHtml(r.callid)}</span>` },
      { key: "caller", label: ["主叫号码", "Caller"] },
      { key: "agent_work_no", label: ["座席工号", "Agent work number"] },
      { key: "method_name", label: ["验证方式", "Method"], render: (r) => `${escapeHtml(r.method_name)} <code>${escapeHtml(r.method_code)}</code>` },
      { key: "result", label: ["验证结果", "Result"], render: (r) => `<span data-result="${escapeHtml(r.result)}">${pair(RESULTS, r.result)}</span>` },
      { key: "return1", label: ["返回数据", "Returns"], render: (r) => [r.return1, r.return2, r.return3].filter(Boolean).map(escapeHtml).join(" / ") },
      { key: "duration_seconds", label: ["时长(秒)", "Duration (s)"] },
      { key: "ended_reason", label: ["结束原因", "Ended"], render: (r) => pair(REASONS, r.ended_reason) },
    ],
    fields: [],
  });
}

if (root.dataset.section === "verification-methods") methods();
else records();
