// The audio/video workbench: toolbar state from a resumable event stream.
//
// The server is the source of truth. The page renders a snapshot, then applies events in
// sequence order; after a disconnect it reconnects with the last sequence it applied and the
// server replays exactly what was missed. Every tab of the same agent does the same, so tabs
// stay in step. Other modules (pop pages, the SDK bridge) listen to "agentdesk:event".
import { api, t } from "/static/ad.js";
import { acwDeadline, acwLengthMs, secondsLeft } from "/static/countdown.js";

const labels = JSON.parse(document.getElementById("state-labels").textContent);
const $ = (sel) => document.querySelector(sel);
const field = (name) => document.querySelector(`[data-field="${name}"]`);

const store = {
  agent: null,
  presence: { state: "signed_out" },
  presenceReceivedAt: null,
  call: null,
  previousCall: null,
  lastSeq: 0,
  skewMs: 0,
};
export const workbench = { store, act, dial, stateLabel };
window.agentdeskWorkbench = workbench;

const ENABLED = {
  "sign-in": (s) => s === "signed_out",
  "sign-out": (s) => ["idle", "busy", "rest", "acw"].includes(s),
  idle: (s) => ["busy", "rest", "acw"].includes(s),
  busy: (s) => !["signed_out", "busy"].includes(s),
  rest: (s) => !["signed_out", "rest"].includes(s),
  answer: (s) => s === "ringing",
  hangup: (s) => ["talking", "held", "dialing", "verifying"].includes(s),
  hold: (s) => s === "talking",
  unhold: (s) => s === "held",
  dial: (s) => ["idle", "busy", "rest", "acw"].includes(s),
  "acw-extend": (s) => s === "acw",
  "acw-finish": (s) => s === "acw",
};

const MEDIA_LABELS = { audio: ["音频", "Audio"], video: ["视频", "Video"] };
const CALL_STATE_LABELS = { ended: ["已结束", "Ended"], queued: ["排队中", "Queued"] };

function stateLabel(state) {
  const pair = labels[state] || CALL_STATE_LABELS[state];
  return pair ? t(pair[0], pair[1]) : state;
}

function mediaLabel(media) {
  const pair = MEDIA_LABELS[media];
  return pair ? t(pair[0], pair[1]) : media || "-";
}

/** "m:ss" (or "h:mm:ss") since a server time, in the browser's clock. */
function elapsed(serverIso) {
  const start = Date.parse(serverIso || "");
  if (!Number.isFinite(start)) return "";
  const seconds = Math.max(0, Math.floor((Date.now() - store.skewMs - start) / 1000));
  const [h, m, s] = [Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60, seconds % 60];
  const mmss = `${String(m).padStart(h ? 2 : 1, "0")}:${String(s).padStart(2, "0")}`;
  return h ? `${h}:${mmss}` : mmss;
}

function renderTimers() {
  const inState = store.presence.state !== "signed_out" && store.presence.since;
  field("stateTimer").textContent = inState ? elapsed(store.presence.since) : "";
  const talk = document.querySelector('[data-call="talkTime"]');
  if (talk) talk.textContent = store.call?.answeredAt ? elapsed(store.call.answeredAt) : "-";
}
setInterval(renderTimers, 1000);

function render() {
  const state = store.presence.state;
  const pill = field("state");
  pill.textContent = stateLabel(state);
  pill.dataset.state = state;
  if (store.agent) field("workNo").textContent = store.agent.workNo;
  field("autoAnswer").hidden = !store.agent?.autoAnswer;
  const pending = store.presence.pendingState;
  field("pending").textContent = pending ? `→ ${stateLabel(pending)}` : "";
  document.querySelectorAll("[data-action]").forEach((button) => {
    const rule = ENABLED[button.dataset.action];
    if (rule) button.disabled = !rule(state);
  });
  // Pairs of opposites share one place on the toolbar: only the one that applies is shown.
  $('[data-action="sign-out"]').hidden = state === "signed_out";
  $('[data-action="sign-in"]').hidden = state !== "signed_out";
  $('[data-action="unhold"]').hidden = state !== "held";
  $('[data-action="hold"]').hidden = state === "held";
  field("acwControls").hidden = state !== "acw";
  renderCall();
  renderPreviousCall();
  renderAcw();
  renderTimers();
}

function renderCall() {
  const call = store.call;
  field("call").hidden = !call;
  field("callEmpty").hidden = !!call;
  if (!call) return;
  document.querySelectorAll("[data-call]").forEach((el) => {
    const key = el.dataset.call;
    if (key === "direction") el.textContent = call.callType === "1" ? t("呼出", "Outbound") : t("呼入", "Inbound");
    else if (key === "mediaType") {
      el.textContent = mediaLabel(call.mediaType);
      el.dataset.value = call.mediaType || "";
    } else if (key === "state") {
      el.textContent = stateLabel(call.state);
      el.dataset.value = call.state || "";
    } else if (key === "talkTime") return;
    else if (key === "calldata") el.textContent = Object.entries(call.calldata || {}).map(([k, v]) => `${k}=${v}`).join(", ") || "-";
    else el.textContent = call[key] || "-";
  });
}

// The call that just ended stays in view as one line until the next one ends.
function renderPreviousCall() {
  const line = field("previousCall");
  const previous = store.previousCall;
  line.hidden = !previous || previous.callid === store.call?.callid;
  if (line.hidden) return;
  const who = previous.callType === "1" ? previous.calledNum : previous.callerNum;
  line.textContent = `${t("上一通呼叫", "Previous call")}: ${who || "-"} · ${mediaLabel(previous.mediaType)} · callid ${previous.callid}`;
  line.title = `${previous.callerNum || ""} → ${previous.calledNum || ""}`;
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
  else if (type === "Release") {
    store.previousCall = payload;
    if (store.call?.callid === payload.callid) store.call = null;
  } else if (["Ringing", "Talking", "Hold", "Unhold", "Dialing"].includes(type)) store.call = payload;
  if (["Ringing", "Dialing"].includes(type)) clearErrors();
  render();
  document.dispatchEvent(new CustomEvent("agentdesk:event", { detail: message }));
}

// ------------------------------------------------------------------ stream with resume
let socket = null;
let backoff = 500;

// Close codes after which our position is no use: `after` was refused (4422) or the outbox no
// longer holds what follows it (4410). Reconnecting without `after` brings a fresh snapshot.
// Any other close (e.g. 4408, the server dropped us for reading too slowly) resumes by `after`.
const RESYNC_CODES = [4410, 4422];
let resync = false;

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const query = resync ? "" : `?after=${store.lastSeq}`;
  const url = `${scheme}://${location.host}/api/workbench/stream${query}`;
  resync = false;
  socket = new WebSocket(url);
  socket.onopen = () => {
    backoff = 500;
    field("connection").dataset.up = "1";
  };
  socket.onmessage = (ev) => {
    const message = JSON.parse(ev.data);
    // "reload": the events after our position were pruned (older than the retention), so the
    // server sends the whole state instead; applying it is the same as a fresh snapshot.
    if (message.kind === "snapshot" || message.kind === "reload") applySnapshot(message);
    else if (message.kind === "event") applyEvent(message);
  };
  socket.onclose = (ev) => {
    if (ev.code === 4401) {
      // The login ended (logout, password change or deactivation elsewhere): sign in again.
      location.href = `/login?next=${encodeURIComponent(location.pathname)}`;
      return;
    }
    resync = RESYNC_CODES.includes(ev.code);
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
  "acw-extend": ["/api/workbench/acw/extend", { seconds: 30 }],
  "acw-finish": ["/api/workbench/acw/finish"],
};

// One message per failure, in the UI language, gone at the next action or the next call:
// a refused number shows next to the number field, anything else on the toolbar's line.
function clearErrors() {
  field("error").textContent = "";
  const form = $("#dial-form");
  form.querySelectorAll("[data-error]").forEach((el) => (el.textContent = ""));
  form.querySelectorAll(".invalid").forEach((el) => el.classList.remove("invalid"));
}

function showFailure(err) {
  const errors = err.body?.errors || [];
  const numberError = errors.find((e) => e.field === "number");
  if (numberError) {
    const form = $("#dial-form");
    form.number.classList.add("invalid");
    form.querySelector('[data-error="number"]').textContent = numberError.message;
    return;
  }
  field("error").textContent = errors.length ? errors.map((e) => e.message).join("; ") : err.message;
}

async function act(action) {
  clearErrors();
  const [url, body] = ROUTES[action];
  try {
    return await api("POST", url, body);
  } catch (err) {
    showFailure(err);
    throw err;
  }
}

// Outbound call through the toolbar; pop pages and the SDK call this too, so the toolbar
// state always follows (R-DIAL-2).
async function dial(number, mode = "audio") {
  clearErrors();
  const form = $("#dial-form");
  form.number.value = number;
  form.mode.value = mode;
  try {
    return await api("POST", "/api/workbench/dial", { number, mode });
  } catch (err) {
    showFailure(err);
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
