// Identity verification from the toolbar [身份验证] (guide 4.4.5): choose a method during a
// conversation, see "customer in verification" with a timer, cancel, then the result.
// Only loaded for agents with the *perform verification* permission; the server checks again.
import { api, t } from "/static/ad.js";
import { workbench } from "/static/workbench.js";

const control = document.getElementById("verify-control");
const select = control.querySelector('select[name="method"]');
const startButton = control.querySelector('[data-verify="start"]');
const cancelButton = control.querySelector('[data-verify="cancel"]');
const part = (name) => control.querySelector(`[data-verify-field="${name}"]`);
const RESULTS = {
  0: ["未返回", "not returned"],
  1: ["验证通过", "passed"],
  2: ["验证未通过", "failed"],
  3: ["验证出错", "error"],
};
let current = null; // {verifyTypeName, since} while the customer is in a verification
let methods = [];

function render() {
  const state = workbench.store.presence?.state;
  startButton.disabled = !methods.length || state !== "talking" || current !== null;
  select.disabled = startButton.disabled;
  // Out of a conversation there is nothing to verify: the choice leaves the toolbar (which then
  // keeps one row at 1280 px beside the after-call-work controls); a result stays visible.
  select.hidden = startButton.hidden = state !== "talking" && current === null;
  part("status").hidden = current === null;
  cancelButton.hidden = current === null;
  if (current) {
    part("method").textContent = current.verifyTypeName || current.verifyTypeCode;
    const seconds = Math.max(0, Math.floor((Date.now() - Date.parse(current.since)) / 1000));
    part("timer").textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
  }
}

function showResult(payload) {
  const pair = RESULTS[payload.verifyResult] || [payload.verifyResult, payload.verifyResult];
  part("result").dataset.result = payload.verifyResult;
  part("result").textContent = `${payload.verifyTypeName || payload.verifyTypeCode}: ${t(...pair)}`;
}

async function loadMethods() {
  const answer = await api("GET", "/api/workbench/verification/methods");
  methods = answer.items;
  select.replaceChildren(
    ...methods.map((m) => Object.assign(document.createElement("option"), { value: m.id, textContent: m.name }))
  );
}

async function restore() {
  const answer = await api("GET", "/api/workbench/verification");
  current = answer.verification;
  render();
}

startButton.addEventListener("click", async () => {
  part("result").textContent = "";
  try {
    const answer = await api("POST", "/api/workbench/verification", { method_id: Number(select.value) });
    if (answer.active) current = answer.verification;
  } catch (err) {
    part("result").textContent = err.message;
  }
  render();
});

cancelButton.addEventListener("click", async () => {
  try {
    await api("POST", "/api/workbench/verification/cancel");
  } catch (err) {
    part("result").textContent = err.message;
  }
});

document.addEventListener("agentdesk:event", (event) => {
  const { type, payload } = event.detail;
  if (type === "Verifying") current = payload;
  if (type === "IvrReturn") {
    current = null;
    showResult(payload);
  }
  if (type === "Release") current = null;
  render();
});
document.addEventListener("agentdesk:snapshot", () => restore().catch(() => {}));

setInterval(() => current && render(), 1000);
loadMethods().then(render).catch((err) => (part("result").textContent = err.message));
