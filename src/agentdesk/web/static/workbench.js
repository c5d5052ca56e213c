// The audio/video workbench: toolbar state from a resumable event stream.
//
// The server is the source of truth. The page renders a snapshot, then applies events in
// sequence order; after a disconnect it reconnects with the last sequence it applied and the
// server replays exactly what was missed. Every tab of the same agent does the same, so tabs
// stay in step. Other modules (pop pages, the SDK bridge) listen to "agentdesk:event".
import { api, showErrors, t } from "/static/ad.js";
import { acwDeadline, acwLengthMs, secondsLeft } from "/static/countdown.js";

const labels = JSON.parse(document.getElementById("state-labels").textContent);
const $ = (sel) => document.querySelector(sel);
const field = (name) => document.querySelector(`[data-field="${name}"]`);

const store = {
  agent: null,
  presence: { state: "signed_out" },
  presenceReceivedAt: null,
  call: null,
  lastSeq: 0,
  skewMs: 0,
};
export const workbench = { store, act, dial };
window.agentdeskWorkbench = workbench;

const ENABLED = {
  "sign-in": (s) => s === "signed_out",
  "sign-out": (s) => ["idle", "busy", "rest", "acw"].includes(s),
  idle: (s) => ["busy", "rest", "acw"].includes(s),
  busy: (s) => !["signed_out", "busy"].includes(s),
  rest: (s) => !["signed_out", "rest"].includes(s),
  answer: (s) => s === "ringing",
  hangup: (s) => ["talking", "held", "dialing"].includes(s),
  hold: (s) => s === "talking",
  unhold: (s) => s === "held",
  dial: (s) => ["idle", "busy", "rest", "acw"].includes(s),
};

function stateLabel(state) {
  const pair = labels[state];
  return pair ? t(pair[0], pair[1]) : state;
}

function render() {
  const state = store.presence.state;
  const pill = field("state");
  pill.textContent = stateLabel(state);
  pill.dataset.state = state;
  if (store.agent) field("workNo").textContent = store.agent.workNo;
  const pending = store.presence.pendingState;
  field("pending").textContent = pending ? `→ ${stateLabel(pending)}` : "";
  document.querySelectorAll("[data-action]").forEach((button) => {
    const rule = ENABLED[button.dataset.action];
    if (rule) button.disabled = !rule(state);
  });
  renderCall();
  renderAcw();
}

function renderCall() {
  const call = store.call;
  field("call").hidden = !call;
  field("callEmpty").hidden = !!call;
  if (!call) return;
  document.querySelectorAll("[data-call]").forEach((el) => {
    const key = el.dataset.call;
    if (key === "direction") el.textContent = call.callType === "1" ? t("呼出", "Outbound") : t("呼入", "Inbound");
    else if (key === "calldata") el.textContent = Object.entries(call.calldata || {}).map(([k, v]) => `${k}=${v}`).join(", ") || "-";
    else el.textContent = call[key] || "-";
  });
}

let acwTimer = null;
function renderAcw() {
  clearInterval(acwTimer);
  const until = store.presence.acwUntil;
  const box = field("acw");
  if (store.presence.state !== "acw" || !until) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  const { since } = store.presence;
  const deadline = acwDeadline({
    acwUntil: until,
    since,
    skewMs: store.skewMs,
    receivedAt: store.presenceReceivedAt,
  });
  const length = acwLengthMs(until, since);
  const tick = () => {
    field("acwLeft").textContent = secondsLeft(deadline, Date.now(), length);
  };
  tick();
  acwTimer = setInterval(tick, 250);
}

function applySnapshot(snapshot) {
  store.agent = snapshot.agent;
  store.presence = snapshot.presence;
  store.presenceReceivedAt = Date.now();
  store.call = snapshot.call;
  store.lastSeq = snapshot.head;
  if (snapshot.serverTime) store.skewMs = Date.now() - Date.parse(snapshot.serverTime);
  render();
  document.dispatchEvent(new CustomEvent("agentdesk:snapshot", { detail: snapshot }));
}

function applyEvent(message) {
  if (message.seq <= store.lastSeq) return; // already applied (replay overlap)
  store.lastSeq = message.seq;
  const { type, payload } = message;
  if (type === "AgentState") {
    store.presence = payload;
    store.presenceReceivedAt = Date.now();
  }
  else if (["Ringing", "Talking", "Hold", "Unhold", "Dialing", "Release"].includes(type)) store.call = payload;
  render();
  document.dispatchEvent(new CustomEvent("agentdesk:event", { detail: message }));
}

// ------------------------------------------------------------------ stream with resume
let socket = null;
let backoff = 500;

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const url = `${scheme}://${location.host}/api/workbench/stream?after=${store.lastSeq}`;
  socket = new WebSocket(url);
  socket.onopen = () => {
    backoff = 500;
    field("connection").dataset.up = "1";
  };
  socket.onmessage = (ev) => {
    const message = JSON.parse(ev.data);
    if (message.kind === "snapshot") applySnapshot(message);
    else if (message.kind === "event") applyEvent(message);
  };
  socket.onclose = () => {
    field("connection").dataset.up = "0";
    // Jittered: when a worker stops (close code 1012) all its workbenches reconnect to the
    // others; spread over the interval they don't arrive in one burst.
    setTimeout(connect, backoff * (0.5 + Math.random()));
    backoff = Math.min(backoff * 2, 10000);
  };
}

// ------------------------------------------------------------------ toolbar actions
const ROUTES = {
  "sign-in": ["/api/workbench/sign-in"],
  "sign-out": ["/api/workbench/sign-out"],
  idle: ["/api/workbench/ready-state", { state: "idle" }],
  busy: ["/api/workbench/ready-state", { state: "busy" }],
  rest: ["/api/workbench/ready-state", { state: "rest" }],
  answer: ["/api/workbench/answer"],
  hangup: ["/api/workbench/hangup"],
  hold: ["/api/workbench/hold"],
  unhold: ["/api/workbench/unhold"],
};

async function act(action) {
  field("error").textContent = "";
  const [url, body] = ROUTES[action];
  try {
    return await api("POST", url, body);
  } catch (err) {
    field("error").textContent = err.message;
    throw err;
  }
}

// Outbound call through the toolbar; pop pages and the SDK call this too, so the toolbar
// state always follows (R-DIAL-2).
async function dial(number, mode = "audio") {
  field("error").textContent = "";
  const form = $("#dial-form");
  form.number.value = number;
  form.mode.value = mode;
  try {
    return await api("POST", "/api/workbench/dial", { number, mode });
  } catch (err) {
    showErrors(form, err);
    field("error").textContent = err.message;
    throw err;
  }
}

document.querySelectorAll("button[data-action]").forEach((button) => {
  if (button.dataset.action === "dial") return;
  button.addEventListener("click", () => act(button.dataset.action).catch(() => {}));
});
$("#dial-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget;
  dial(form.number.value.trim(), form.mode.value).catch(() => {});
});

async function start() {
  try {
    applySnapshot(await api("GET", "/api/workbench/state"));
  } catch (err) {
    field("error").textContent = err.message;
    return;
  }
  connect();
}

start();
