// Screen pops [来电弹屏] in the audio/video workbench.
//
// When a call connects (Talking, or a snapshot of a call already talking), the server says
// which pages to open for it, in list order, with the final GET URL or the POST form: the
// parameters are built and signed server-side, and a page that is not whitelisted comes back
// "blocked" and is never loaded. Embedded pages become tabs with iframes; independent pages
// open in their own window (pop-opening.js). The next call's pops replace the previous call's.
//
// Click-to-dial (click-to-dial.js): a message counts only when event.source is an iframe we
// opened for a whitelisted page AND event.origin is that page's origin.
//
// Web API pages (R-SDK-9) open with the workbench and stay open across calls; this workbench is
// their SDK host (sdk-host.js): it answers their AICCSupport.js and sends it the call events.
import { api, escapeHtml, t } from "/static/ad.js";
import { handleCallout } from "/static/click-to-dial.js";
import { WORKBENCH_SANDBOX, loadInFrame, openInWindow, popFrame } from "/static/pop-opening.js";
import { phoneNumberRule } from "/static/phone-rule.js";
import { CALL_EVENTS, SdkHost, refuseHello } from "/static/sdk-host.js";
import { workbench } from "/static/workbench.js";

const tabList = document.getElementById("pop-tabs");
const panels = document.getElementById("pop-panels");
const emptyNote = document.getElementById("pop-empty");
const CONNECTED = ["talking", "held"];
const NUMBER = phoneNumberRule();

// contentWindow of each GET/POST pop iframe → the origin its messages must come from.
const frames = new Map();
const sdkHost = new SdkHost({
  workbench: "audio_video",
  workNo: () => workbench.store.agent?.workNo,
  phoneNumber: NUMBER,
  placeCall: async (number, mediaType) => {
    const result = await workbench.dial(number, mediaType);
    return { ok: true, callid: result.call.callid };
  },
});
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

function openEmbedded(page, panel, sdk = false) {
  const frame = popFrame({ name: `pop-frame-${page.id}-${sequence}`, title: page.name, sandbox: WORKBENCH_SANDBOX });
  frame.dataset.popPage = page.id;
  loadInFrame(page, frame, panel);
  if (sdk) sdkHost.adopt(frame.contentWindow, page.page_origin);
  else frames.set(frame.contentWindow, page.page_origin);
}

function openIndependent(page, panel) {
  if (openInWindow(page, `agentdesk-pop-${page.id}`)) {
    note(panel, "muted", t("已在独立窗口中打开。", "Opened in its own window."));
    return;
  }
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
    if (page.status === "open") openEmbedded(page, panel, true);
    else note(panel, "form-error pop-blocked", `${t("未加载", "Not loaded")}: ${page.reason}`);
  }
  if (answer.pages.length && !tabList.querySelector('[aria-selected="true"]')) {
    selectTab(tabList.querySelector('[role="tab"]'));
  }
}

// ------------------------------------------------------------------ messages from pop frames

window.addEventListener("message", (event) => {
  if (sdkHost.receive(event)) return;
  const expectedOrigin = frames.get(event.source);
  if (expectedOrigin === undefined) return;
  if (refuseHello(event, expectedOrigin)) return;
  handleCallout(event, expectedOrigin, { phoneNumber: NUMBER, dial: workbench.dial });
});

function callFields(call) {
  return {
    callerNum: call.callerNum,
    calledNum: call.calledNum,
    callid: call.callid,
    mediaType: call.mediaType,
    callType: call.callType,
    workNo: String(workbench.store.agent?.workNo ?? call.workNo ?? ""),
    calldata: JSON.stringify(call.calldata || {}),
  };
}

function forwardCallEvent(type, call) {
  if (!CALL_EVENTS.includes(type) || !call?.callid) return;
  sdkHost.emit(type, callFields(call));
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
  if (call && ["ringing", ...CONNECTED].includes(call.state) && !sdkHost.current) {
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
  sdkHost.emitIvrReturn({
    verifyTypeCode: payload.verifyTypeCode,
    verifyResult: String(payload.verifyResult),
    verifyReturn1: payload.verifyReturn1 ?? "",
    verifyReturn2: payload.verifyReturn2 ?? "",
    verifyReturn3: payload.verifyReturn3 ?? "",
    callid: payload.callid,
  });
}

document.addEventListener("agentdesk:event", (event) => {
  const { type, payload } = event.detail;
  if (type === "IvrReturn") forwardIvrReturn(payload);
  forwardCallEvent(type, payload);
  if (type === "Talking") openPops(payload);
  if (type === "Release" && payload?.callid) markPrevious(payload.callid);
});
