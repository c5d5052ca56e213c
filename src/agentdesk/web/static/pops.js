// Screen pops [来电弹屏] in the audio/video workbench, and click-to-dial from pop pages.
//
// When a call connects (Talking, or a snapshot of a call already talking), the server says
// which pages to open for it, in list order, with the final GET URL or the POST form: the
// parameters are built and signed server-side, and a page that is not whitelisted comes back
// "blocked" and is never loaded. Embedded pages become tabs with iframes; independent pages
// open in their own window. The next call's pops replace the previous call's.
//
// Click-to-dial (guide 2.4): a message counts only when event.source is an iframe we opened
// for a whitelisted page AND event.origin is that page's origin; the number is checked, then
// the call is placed through the toolbar so its state follows.
//
// Web API pages (R-SDK-9) open with the workbench and stay open across calls. AICCSupport.js in
// them says hello; the workbench answers only to those frames, with their exact origin, and
// then sends Init and the call events (Ringing, Talking, Release) with a per-call sequence.
import { api, escapeHtml, t } from "/static/ad.js";
import { workbench } from "/static/workbench.js";

const tabList = document.getElementById("pop-tabs");
const panels = document.getElementById("pop-panels");
const emptyNote = document.getElementById("pop-empty");
const CONNECTED = ["talking", "held"];
// The server's phone-number rule, served with the page: one rule on both sides.
const NUMBER = new RegExp(document.getElementById("dial-form").dataset.phonePattern);

// contentWindow of each pop iframe → the origin its messages must come from.
const frames = new Map();
// contentWindow of each Web API iframe → {origin, ready}.
const sdkFrames = new Map();
const SDK = "agentdesk-sdk/1";
const SDK_EVENTS = { Ringing: "Ringing", Talking: "Talking", Release: "Release" };
const callSeqs = new Map(); // callid → events sent so far
let lastCallEvent = null; // replayed once to a page that (re)loads during a call
let openFor = null;
let sequence = 0;

function clearPops() {
  frames.clear();
  tabList.querySelectorAll('[data-kind="call"]').forEach((tab) => tab.remove());
  panels.querySelectorAll('.pop-panel[data-kind="call"]').forEach((panel) => panel.remove());
  emptyNote.hidden = tabList.children.length > 0;
}

function selectTab(chosen) {
  tabList.querySelectorAll('[role="tab"]').forEach((tab) => {
    const selected = tab === chosen;
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
    document.getElementById(tab.getAttribute("aria-controls")).hidden = !selected;
  });
}

function addTab(page, call) {
  const kind = call ? "call" : "webapi";
  const id = `pop-${++sequence}`;
  const tab = document.createElement("button");
  tab.type = "button";
  tab.setAttribute("role", "tab");
  tab.id = `${id}-tab`;
  tab.setAttribute("aria-controls", id);
  tab.dataset.popPage = page.id;
  tab.dataset.kind = kind;
  // The suffix says which call a page belongs to; hovering names the caller.
  const badge = call ? `· ${t("呼叫", "call")} …${call.callid.slice(-4)}` : "Web API";
  tab.innerHTML = `${escapeHtml(page.name)} <small class="muted">${escapeHtml(badge)}</small>`;
  tab.title = call
    ? `${page.name} · ${t("呼叫", "call")} ${call.callid} · ${call.callerNum || ""} → ${call.calledNum || ""}`
    : `${page.name} · ${t("Web API 页面，跨呼叫保持打开", "Web API page, stays open across calls")}`;
  tab.addEventListener("click", () => selectTab(tab));

  const panel = document.createElement("section");
  panel.className = "pop-panel";
  panel.id = id;
  panel.hidden = true;
  panel.setAttribute("role", "tabpanel");
  panel.setAttribute("aria-labelledby", tab.id);
  panel.dataset.popPage = page.id;
  panel.dataset.kind = kind;
  if (call) {
    tab.dataset.callid = call.callid;
    panel.dataset.callid = call.callid;
    panel.innerHTML = `<p class="pop-call muted">${escapeHtml(t("所属呼叫", "Call"))}: <b>${escapeHtml(call.callid)}</b>
    · ${escapeHtml(call.callerNum || "")} → ${escapeHtml(call.calledNum || "")}</p>`;
  }
  tabList.append(tab);
  panels.append(panel);
  emptyNote.hidden = true;
  return panel;
}

function note(panel, className, text) {
  const p = document.createElement("p");
  p.className = className;
  p.textContent = text;
  panel.append(p);
  return p;
}

function postForm(page, target) {
  const form = document.createElement("form");
  form.method = "POST";
  form.action = page.url;
  form.target = target;
  form.hidden = true;
  for (const [name, value] of page.fields) {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.append(input);
  }
  document.body.append(form);
  form.submit();
  form.remove();
}

function openEmbedded(page, panel, registry = frames) {
  const frame = document.createElement("iframe");
  frame.name = `pop-frame-${page.id}-${sequence}`;
  frame.title = page.name;
  frame.dataset.popPage = page.id;
  // No top navigation for embedded pages: they cannot take the workbench away.
  frame.setAttribute(
    "sandbox",
    "allow-scripts allow-forms allow-same-origin allow-popups allow-popups-to-escape-sandbox allow-downloads",
  );
  frame.referrerPolicy = "strict-origin-when-cross-origin";
  if (page.method === "GET") frame.src = page.url;
  panel.append(frame);
  registry.set(frame.contentWindow, registry === frames ? page.page_origin : { origin: page.page_origin, ready: false });
  if (page.method === "POST") postForm(page, frame.name);
}

function openIndependent(page, panel) {
  const name = `agentdesk-pop-${page.id}`;
  // Open blank first so the page gets no handle on the workbench (opener = null).
  const win = window.open("", name);
  if (!win) {
    const blocked = note(panel, "form-error", t(
      "浏览器拦截了弹出窗口：请允许本站点弹出窗口，或点击下面的链接打开。",
      "The browser blocked the pop-up window: allow pop-ups for this site, or open it with the link below.",
    ));
    blocked.dataset.blocked = "popup";
    if (page.method === "GET") {
      const link = document.createElement("a");
      link.href = page.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = page.name;
      panel.append(link);
    }
    return;
  }
  win.opener = null;
  if (page.method === "GET") win.location.href = page.url;
  else postForm(page, name);
  note(panel, "muted", t("已在独立窗口中打开。", "Opened in its own window."));
}

function openPage(page, call) {
  const panel = addTab(page, call);
  panel.dataset.status = page.status;
  if (page.status !== "open") {
    note(panel, "form-error pop-blocked", `${t("未加载", "Not loaded")}: ${page.reason}`);
    return;
  }
  if (page.open_mode === "independent") openIndependent(page, panel);
  else openEmbedded(page, panel);
}

async function openPops(call) {
  if (!call || !call.callid || openFor === call.callid) return;
  openFor = call.callid;
  let answer;
  try {
    answer = await api("GET", `/api/workbench/pops?callid=${encodeURIComponent(call.callid)}`);
  } catch (err) {
    console.warn("agentdesk: pop pages unavailable:", err.message);
    return;
  }
  if (openFor !== call.callid) return; // a newer call got here first
  clearPops();
  // Web API pages stay open across calls and are driven by AICCSupport.js (R-SDK-9).
  const pages = answer.pages.filter((page) => page.integration !== "webapi");
  pages.forEach((page) => openPage(page, call));
  const first = tabList.querySelector('[data-kind="call"]');
  if (first) selectTab(first);
}

async function openWebApiPages() {
  let answer;
  try {
    answer = await api("GET", "/api/workbench/webapi-pages");
  } catch (err) {
    console.warn("agentdesk: Web API pages unavailable:", err.message);
    return;
  }
  for (const page of answer.pages) {
    const panel = addTab(page, null);
    panel.dataset.status = page.status;
    if (page.status === "open") openEmbedded(page, panel, sdkFrames);
    else note(panel, "form-error pop-blocked", `${t("未加载", "Not loaded")}: ${page.reason}`);
  }
  if (answer.pages.length && !tabList.querySelector('[aria-selected="true"]')) {
    selectTab(tabList.querySelector('[role="tab"]'));
  }
}

// ------------------------------------------------------------------ click-to-dial

function calloutOf(data) {
  let message = data;
  if (typeof message === "string") {
    try {
      message = JSON.parse(message);
    } catch {
      return null;
    }
  }
  if (!message || typeof message !== "object" || message.name !== "callout") return null;
  const param = message.param;
  const [number, mode] = Array.isArray(param) ? param : [param?.number, param?.mode];
  return { number: String(number ?? "").trim(), mode: mode ?? "audio" };
}

function onCallout(event, expectedOrigin) {
  if (event.origin !== expectedOrigin) return;
  const callout = calloutOf(event.data);
  if (!callout) return;
  if (!NUMBER.test(callout.number) || !["audio", "video"].includes(callout.mode)) {
    console.warn("agentdesk: callout refused: invalid number or mode", callout);
    return;
  }
  workbench.dial(callout.number, callout.mode).catch(() => {});
}

// ------------------------------------------------------------------ AICCSupport.js bridge

function sdkPost(target, frame, message) {
  target.postMessage({ protocol: SDK, ...message }, frame.origin);
}

function eventData(call, seq) {
  return {
    callerNum: call.callerNum,
    calledNum: call.calledNum,
    callid: call.callid,
    mediaType: call.mediaType,
    callType: call.callType,
    workNo: String(workbench.store.agent?.workNo ?? call.workNo ?? ""),
    calldata: JSON.stringify(call.calldata || {}),
    seq,
  };
}

function toSdkPages(message) {
  for (const [target, frame] of sdkFrames) if (frame.ready) sdkPost(target, frame, message);
}

async function sdkOutbound(target, frame, message) {
  const reply = (outcome) => sdkPost(target, frame, { type: "result", id: message.id, outcome });
  const number = String(message.calledNum ?? "").trim();
  if (message.mediaType === "email" || message.mediaType === "whatsapp") {
    return reply({ ok: false, code: "not_available", message: `${message.mediaType} needs the online chat workbench` });
  }
  if (!["audio", "video"].includes(message.mediaType)) {
    return reply({ ok: false, code: "bad_media_type", message: "mediaType must be audio or video here" });
  }
  if (!NUMBER.test(number)) return reply({ ok: false, code: "bad_number", message: "invalid number" });
  try {
    const result = await workbench.dial(number, message.mediaType);
    reply({ ok: true, callid: result.call.callid });
  } catch (err) {
    reply({ ok: false, code: "refused", message: err.message });
  }
}

function onSdkMessage(event, frame) {
  const message = event.data;
  if (event.origin !== frame.origin || !message || message.protocol !== SDK) return;
  if (message.type === "hello") {
    frame.ready = true;
    sdkPost(event.source, frame, { type: "welcome", workbench: "audio_video" });
    const workNo = String(workbench.store.agent?.workNo ?? "");
    sdkPost(event.source, frame, { type: "event", name: "Init", seq: 0, data: { workNo } });
    if (lastCallEvent) sdkPost(event.source, frame, { type: "event", ...lastCallEvent });
  } else if (message.type === "clickToOutbound" && frame.ready) {
    sdkOutbound(event.source, frame, message);
  }
}

// A GET or POST pop that loads AICCSupport.js gets a refusal instead of silence, so the SDK can
// tell the integrator why no event will come (R-SDK-7).
function refuseSdkHello(event, expectedOrigin) {
  const message = event.data;
  if (event.origin !== expectedOrigin || !message || message.protocol !== SDK) return false;
  if (message.type === "hello") {
    sdkPost(event.source, { origin: expectedOrigin }, { type: "refused", code: "not_webapi" });
  }
  return true;
}

window.addEventListener("message", (event) => {
  const expectedOrigin = frames.get(event.source);
  if (expectedOrigin !== undefined) {
    if (refuseSdkHello(event, expectedOrigin)) return;
    return onCallout(event, expectedOrigin);
  }
  const sdkFrame = sdkFrames.get(event.source);
  if (sdkFrame !== undefined) onSdkMessage(event, sdkFrame);
});

function forwardCallEvent(type, call) {
  const name = SDK_EVENTS[type];
  if (!name || !call?.callid) return;
  const seq = (callSeqs.get(call.callid) || 0) + 1;
  callSeqs.set(call.callid, seq);
  const message = { name, seq, data: eventData(call, seq) };
  lastCallEvent = name === "Release" ? null : message;
  toSdkPages({ type: "event", ...message });
}

// ------------------------------------------------------------------ when to open

let webApiOpened = false;
document.addEventListener("agentdesk:snapshot", (event) => {
  if (!webApiOpened) {
    webApiOpened = true;
    openWebApiPages();
  }
  const call = event.detail.call;
  if (call && CONNECTED.includes(call.state)) openPops(call);
  if (call && ["ringing", ...CONNECTED].includes(call.state) && !lastCallEvent) {
    forwardCallEvent(call.state === "ringing" ? "Ringing" : "Talking", call);
  }
});

// An ended call's pages stay readable (notes, tickets) but say they belong to the previous call,
// until the next call's pages replace them.
function markPrevious(callid) {
  const label = t("上一通呼叫", "previous call");
  document.querySelectorAll(`#pop-tabs [data-kind="call"][data-callid="${CSS.escape(callid)}"]`).forEach((tab) => {
    tab.dataset.previous = "1";
    tab.title = `${tab.title} · ${label}`;
  });
  document.querySelectorAll(`#pop-panels .pop-panel[data-kind="call"][data-callid="${CSS.escape(callid)}"]`).forEach((panel) => {
    panel.dataset.previous = "1";
    panel.querySelector(".pop-call")?.setAttribute("data-previous-label", `· ${label}`);
  });
}

// A verification result [身份认证结果] goes to every Web API page as IvrReturn (the SDK also
// delivers it to handlers registered as lvrReturn, the guide's spelling).
function forwardIvrReturn(payload) {
  if (!payload?.callid) return;
  const seq = (callSeqs.get(payload.callid) || 0) + 1;
  callSeqs.set(payload.callid, seq);
  const data = {
    verifyTypeCode: payload.verifyTypeCode,
    verifyResult: String(payload.verifyResult),
    verifyReturn1: payload.verifyReturn1 ?? "",
    verifyReturn2: payload.verifyReturn2 ?? "",
    verifyReturn3: payload.verifyReturn3 ?? "",
    callid: payload.callid,
    seq,
  };
  toSdkPages({ type: "event", name: "IvrReturn", seq, data });
}

document.addEventListener("agentdesk:event", (event) => {
  const { type, payload } = event.detail;
  if (type === "IvrReturn") forwardIvrReturn(payload);
  forwardCallEvent(type, payload);
  if (type === "Talking") openPops(payload);
  if (type === "Release" && payload?.callid) markPrevious(payload.callid);
});
