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
import { api, escapeHtml, t } from "/static/ad.js";
import { workbench } from "/static/workbench.js";

const tabList = document.getElementById("pop-tabs");
const panels = document.getElementById("pop-panels");
const emptyNote = document.getElementById("pop-empty");
const CONNECTED = ["talking", "held"];
const NUMBER = /^\+?[0-9*#]{3,25}$/;

// contentWindow of each pop iframe → the origin its messages must come from.
const frames = new Map();
let openFor = null;
let sequence = 0;

function clearPops() {
  frames.clear();
  tabList.replaceChildren();
  panels.querySelectorAll(".pop-panel").forEach((panel) => panel.remove());
  emptyNote.hidden = false;
}

function selectTab(index) {
  tabList.querySelectorAll('[role="tab"]').forEach((tab, i) => {
    tab.setAttribute("aria-selected", String(i === index));
    tab.tabIndex = i === index ? 0 : -1;
  });
  panels.querySelectorAll(".pop-panel").forEach((panel, i) => (panel.hidden = i !== index));
}

function addTab(page, call) {
  const index = tabList.children.length;
  const id = `pop-${++sequence}`;
  const tab = document.createElement("button");
  tab.type = "button";
  tab.setAttribute("role", "tab");
  tab.id = `${id}-tab`;
  tab.setAttribute("aria-controls", id);
  tab.dataset.popPage = page.id;
  tab.dataset.callid = call.callid;
  tab.innerHTML = `${escapeHtml(page.name)} <small class="muted">${escapeHtml(call.callid.slice(-6))}</small>`;
  tab.title = `${page.name} · callid ${call.callid}`;
  tab.addEventListener("click", () => selectTab(index));
  tabList.append(tab);

  const panel = document.createElement("section");
  panel.className = "pop-panel";
  panel.id = id;
  panel.setAttribute("role", "tabpanel");
  panel.setAttribute("aria-labelledby", tab.id);
  panel.dataset.popPage = page.id;
  panel.dataset.callid = call.callid;
  panel.innerHTML = `<p class="pop-call muted">${escapeHtml(t("所属呼叫", "Call"))}: <b>${escapeHtml(call.callid)}</b>
    · ${escapeHtml(call.callerNum || "")} → ${escapeHtml(call.calledNum || "")}</p>`;
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

function openEmbedded(page, panel) {
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
  frames.set(frame.contentWindow, page.page_origin);
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
  if (pages.length) selectTab(0);
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

window.addEventListener("message", (event) => {
  const expectedOrigin = frames.get(event.source);
  if (expectedOrigin === undefined || event.origin !== expectedOrigin) return;
  const callout = calloutOf(event.data);
  if (!callout) return;
  if (!NUMBER.test(callout.number) || !["audio", "video"].includes(callout.mode)) {
    console.warn("agentdesk: callout refused: invalid number or mode", callout);
    return;
  }
  workbench.dial(callout.number, callout.mode).catch(() => {});
});

// ------------------------------------------------------------------ when to open

document.addEventListener("agentdesk:snapshot", (event) => {
  const call = event.detail.call;
  if (call && CONNECTED.includes(call.state)) openPops(call);
});

document.addEventListener("agentdesk:event", (event) => {
  const { type, payload } = event.detail;
  if (type === "Talking") openPops(payload);
});
