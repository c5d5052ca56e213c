// Try it [测试弹屏] (screen-pop configuration): asks the server exactly what the workbench would
// open for a sample call, shows it, and opens the page the same way the workbench does
// (pop-opening.js); for a Web API page this dialog is the SDK host (sdk-host.js, the
// workbench's own), driven by buttons.
import { api, escapeHtml, t } from "/static/ad.js";
import { openApi } from "/static/crud.js";
import { FieldSet, L, bodySchema, errorText, mergeField, placeErrors } from "/static/crud-form.js";
import { TRY_IT_SANDBOX, loadInFrame, openInWindow, popFrame } from "/static/pop-opening.js";
import { phoneNumberRule } from "/static/phone-rule.js";
import { SdkHost } from "/static/sdk-host.js";
import {
  ASK_OPS, ENDPOINT, INTEGRATIONS, NOT_WHITELISTED, OPEN_MODES, badge, clearErrors, label, nextId, popDialog,
} from "/static/screen-pop-shared.js";

const SAMPLE_FIELDS = [
  { name: "callerNum", label: ["主叫号码 (callerNum)", "Caller number (callerNum)"] },
  { name: "calledNum", label: ["被叫号码 (calledNum)", "Called number (calledNum)"] },
  { name: "callid", label: ["会话ID (callid)", "Call ID (callid)"] },
  { name: "mediaType", label: ["媒体类型 (mediaType)", "Media type (mediaType)"], hint: ["1 音视频，5 多媒体文字交谈", "1 audio/video, 5 multimedia text chat"] },
  { name: "callType", label: ["呼叫类型 (callType)", "Call type (callType)"], hint: ["0 呼入，1 呼出", "0 inbound, 1 outbound"] },
  { name: "workNo", label: ["座席工号 (workNo)", "Agent work number (workNo)"] },
  { name: "callskill", label: ["技能队列 (callskill)", "Skill queue (callskill)"] },
  { name: "callskillid", label: ["技能队列编号 (callskillid)", "Skill queue id (callskillid)"] },
  { name: "agentName", label: ["座席业务账号 (agentName)", "Agent account (agentName)"] },
];

/** key=value lines → object; returns [object, error text]. */
function parseAttached(text) {
  const out = {};
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  for (const [index, line] of lines.entries()) {
    const at = line.indexOf("=");
    const key = at > 0 ? line.slice(0, at).trim() : "";
    if (!key) {
      return [null, t(`第 ${index + 1} 行应为 key=value`, `Line ${index + 1} should be key=value`)];
    }
    out[key] = line.slice(at + 1).trim();
  }
  return [out, ""];
}

function sentTable(caption, pairs) {
  const rows = pairs.length
    ? pairs.map(([name, value]) => `<tr><td class="kv">${escapeHtml(name)}</td><td class="kv">${escapeHtml(value)}</td></tr>`).join("")
    : `<tr class="empty"><td colspan="2">${escapeHtml(t("（无）", "(none)"))}</td></tr>`;
  return `<div class="table-wrap"><table class="grid" data-sent><caption>${escapeHtml(L(caption))}</caption>
    <thead><tr><th scope="col">${escapeHtml(t("参数", "Name"))}</th><th scope="col">${escapeHtml(t("值", "Value"))}</th></tr></thead>
    <tbody>${rows}</tbody></table></div>`;
}

function renderPreview(result, page, pop, sample = {}) {
  result.innerHTML = "";
  result.dataset.status = pop.status;
  if (pop.status !== "open") {
    const blocked = !page.whitelisted || pop.reason_code === "not_whitelisted";
    const reason = blocked ? `${L(NOT_WHITELISTED)}. ${L(ASK_OPS)}` : pop.reason;
    result.innerHTML = `<h3>${escapeHtml(t("结果", "Result"))}</h3>
      <p class="form-error pop-blocked" data-blocked>${escapeHtml(t("不会打开", "Will not open"))}: ${escapeHtml(reason)}</p>`;
    return;
  }
  const parts = [`<h3>${escapeHtml(t("将发送的内容", "What the workbench sends"))}</h3>`];
  if (pop.integration === "webapi") {
    parts.push(`<p>${escapeHtml(t("地址", "URL"))}: <code class="kv final-url" data-final-url>${escapeHtml(pop.url)}</code></p>
      <p class="muted">${escapeHtml(t("Web API 页面不通过地址接收参数：呼叫数据通过 AICCSupport.js 的事件送达。", "Web API pages receive no URL parameters: call data arrives as AICCSupport.js events."))}</p>`);
  } else if (pop.method === "POST") {
    parts.push(`<p>POST ${escapeHtml(t("到", "to"))} <code class="kv final-url" data-final-url>${escapeHtml(pop.url)}</code>
      <span class="muted">(application/x-www-form-urlencoded)</span></p>`);
    parts.push(sentTable(["表单字段", "Form fields"], pop.fields));
  } else {
    let query = [];
    try {
      query = [...new URL(pop.url).searchParams];
    } catch {
      query = [];
    }
    parts.push(`<p>GET <code class="kv final-url" data-final-url>${escapeHtml(pop.url)}</code></p>`);
    parts.push(sentTable(["查询参数（已解码）", "Query parameters (decoded)"], query));
  }
  parts.push(`<h3>${escapeHtml(t("页面", "Page"))}</h3>`);
  if (page.check_result?.framing === "forbidden" && pop.open_mode === "embed") {
    parts.push(`<p class="form-error">${escapeHtml(t(
      "检查结果显示该页面禁止被嵌入，下面的框架可能无法显示；建议改为独立打开。",
      "The check found that this page forbids framing, so the frame below may stay empty; use independent mode.",
    ))}</p>`);
  }
  result.innerHTML = parts.join("");
  const name = `try-frame-${page.id}-${nextId()}`;
  if (pop.open_mode === "independent") {
    const note = document.createElement("p");
    note.className = "muted";
    note.textContent = t("座席工作台会在独立窗口中打开此页面。", "The workbench opens this page in its own window.");
    const open = document.createElement("button");
    open.type = "button";
    open.dataset.openWindow = "";
    open.textContent = t("在独立窗口中打开", "Open in its own window");
    open.addEventListener("click", () => {
      if (openInWindow(pop, `agentdesk-try-${page.id}`)) return;
      note.textContent = t("浏览器拦截了弹出窗口：请允许本站点弹出窗口。", "The browser blocked the pop-up window: allow pop-ups for this site.");
      note.className = "form-error";
    });
    result.append(note, open);
    return;
  }
  const frame = popFrame({ name, title: `${t("测试弹屏", "Try it")}: ${page.name}`, sandbox: TRY_IT_SANDBOX });
  const loaded = document.createElement("p");
  loaded.className = "muted";
  loaded.setAttribute("role", "status");
  loaded.textContent = t("正在加载…", "Loading…");
  result.append(loaded);
  loadInFrame(pop, frame, result, () => {
    frame.dataset.loaded = "true";
    loaded.textContent = t("页面已加载。", "Page loaded.");
  });
  if (pop.integration === "webapi") sdkConsole(result, frame, pop, sample);
}

// "Try it" for Web API pages: this dialog is the SDK host for AICCSupport.js in the frame, the
// same host as the workbench's (protocol, origin and source checks, replay), and shows every
// message both ways. Calls the page asks for are answered, never placed.
let stopConsole = null;

function sampleCall(sample) {
  return {
    callerNum: sample.callerNum,
    calledNum: sample.calledNum,
    callid: sample.callid,
    mediaType: sample.mediaType === "1" ? "audio" : sample.mediaType,
    callType: sample.callType,
    workNo: String(sample.workNo ?? ""),
    calldata: JSON.stringify(sample.calldata || {}),
  };
}

function sdkConsole(result, frame, pop, sample) {
  const box = document.createElement("section");
  box.className = "sdk-console";
  box.innerHTML = `<h3>${escapeHtml(t("触发事件", "Fire events"))}</h3>
    <div class="toolbar-row">${["Init", "Ringing", "Talking", "Release"]
      .map((name) => `<button type="button" data-fire="${name}">${name}</button>`)
      .join("")}</div>
    <table class="grid sdk-log"><caption>${escapeHtml(t("消息记录", "Messages"))}</caption>
      <thead><tr><th>${escapeHtml(t("方向", "Direction"))}</th><th>${escapeHtml(t("消息", "Message"))}</th></tr></thead>
      <tbody></tbody></table>`;
  result.append(box);
  const rows = box.querySelector("tbody");
  const logRow = (direction, message) => {
    const row = document.createElement("tr");
    row.dataset.direction = direction;
    row.innerHTML = `<td>${escapeHtml(direction === "out" ? t("工作台 → 页面", "workbench → page") : t("页面 → 工作台", "page → workbench"))}</td>
      <td><code>${escapeHtml(JSON.stringify(message))}</code></td>`;
    rows.append(row);
  };
  const host = new SdkHost({
    workbench: "audio_video",
    workNo: () => sample.workNo,
    phoneNumber: phoneNumberRule(),
    placeCall: async () => ({ ok: false, code: "preview", message: t("测试弹屏中不会真正外呼", "Try it places no call") }),
    onTraffic: logRow,
  });
  host.adopt(frame.contentWindow, pop.page_origin);
  box.querySelectorAll("[data-fire]").forEach((button) =>
    button.addEventListener("click", () => {
      const name = button.dataset.fire;
      if (name === "Init") host.sendInit();
      else host.emit(name, sampleCall(sample));
    }),
  );
  // One console at a time: a new preview's host replaces the previous one.
  if (stopConsole) stopConsole();
  stopConsole = host.listen(window);
}

export async function openTry(page, manager) {
  const spec = await openApi();
  const schema = bodySchema(spec, `${ENDPOINT}/{page_id}/preview`, "post");
  const fields = [
    ...SAMPLE_FIELDS.map((f) => (f.name === "mediaType" && page.tab === "multimedia" ? { ...f, initial: "5" } : f)),
    {
      name: "calldata_text", label: ["随路数据（每行一个 key=value）", "Attached data (one key=value per line)"], widget: "textarea",
      rows: 3, placeholder: ["time=2024-01-01 10:00", "time=2024-01-01 10:00"],
    },
  ].map((f) => mergeField(f, schema));
  const { dialog, body } = popDialog([`测试弹屏：${page.name}`, `Try it: ${page.name}`]);
  dialog.classList.add("try-dialog");
  body.innerHTML = `
    <dl class="try-summary">
      <dt>${escapeHtml(t("访问地址", "URL"))}</dt><dd class="kv">${escapeHtml(page.url)}</dd>
      <dt>${escapeHtml(t("集成方式", "Integration"))}</dt><dd>${label(INTEGRATIONS, page.integration)} · ${label(OPEN_MODES, page.open_mode)}${page.signed ? ` · ${badge("ok", t("已签名", "signed"))}` : ""}</dd>
    </dl>
    ${page.whitelisted ? "" : `<p class="form-error" data-not-whitelisted>${escapeHtml(L(NOT_WHITELISTED))}. ${escapeHtml(L(ASK_OPS))}</p>`}
    <p class="muted">${escapeHtml(t("编辑样例呼叫，然后点击“打开”：显示座席工作台将为这通呼叫发送的内容，并像工作台一样打开页面。", "Edit the sample call, then press Open: you see exactly what the workbench would send for this call, and the page opens as it would in the workbench."))}</p>
    <form class="form" novalidate>
      <div class="form-body"></div>
      <p class="form-error" data-error="_form" role="alert"></p>
      <div class="dialog-actions">
        <button type="button" data-close>${escapeHtml(t("关闭", "Close"))}</button>
        <button type="submit" class="primary">${escapeHtml(t("打开", "Open"))}</button>
      </div>
    </form>
    <section class="try-result" aria-live="polite"></section>`;
  const form = body.querySelector("form");
  const set = new FieldSet(form, fields, { sources: {} });
  set.render(form.querySelector(".form-body"));
  set.fill({});
  const result = body.querySelector(".try-result");
  body.querySelector("[data-close]").addEventListener("click", () => dialog.close());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const { calldata_text: text, ...call } = set.values();
    const [calldata, problem] = parseAttached(text || "");
    if (problem) {
      form.querySelector('[data-error="calldata_text"]').textContent = problem;
      form.querySelector('[name="calldata_text"]').classList.add("invalid");
      return;
    }
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      const pop = await api("POST", `${ENDPOINT}/${page.id}/preview`, { ...call, calldata });
      renderPreview(result, page, pop, { ...call, calldata });
    } catch (err) {
      placeErrors(form, err, fields, (field) => (field.startsWith("calldata") ? "calldata_text" : field));
      if (!(err?.status === 422)) manager.status(errorText(err), true);
    } finally {
      button.disabled = false;
    }
  });
  dialog.showModal();
  form.querySelector('button[type="submit"]').focus();
}
