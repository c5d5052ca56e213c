// Ringing that cannot be missed, and state changes a screen reader hears.
//
// Every state change is announced in an aria-live region. While a call rings and the tab is
// in the background, the tab title flashes and (if the agent allowed it) a browser
// notification shows; the permission is asked once, when the agent signs in (a click of theirs,
// so the browser lets us ask), never on page load.
import { t } from "/static/ad.js";
import { workbench } from "/static/workbench.js";

const announcer = document.querySelector('[data-field="announce"]');
const baseTitle = document.title;
const ASKED = "agentdesk.notifications.asked";
let flashing = null;
let notice = null;

function announce(text) {
  announcer.textContent = "";
  // A new text node each time, so the same words twice are read twice.
  requestAnimationFrame(() => (announcer.textContent = text));
}

function ringingText(call) {
  return `${t("来电", "Incoming call")}: ${call.callerNum || "-"}`;
}

function startFlashing(call) {
  stopFlashing();
  let on = false;
  flashing = setInterval(() => {
    on = !on;
    document.title = on ? `🔔 ${ringingText(call)}` : baseTitle;
  }, 800);
}

function stopFlashing() {
  if (flashing) clearInterval(flashing);
  flashing = null;
  document.title = baseTitle;
  if (notice) notice.close();
  notice = null;
}

function notify(call) {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  notice = new Notification(ringingText(call), { body: t("点击返回工作台应答", "Click to go back to the workbench and answer"), tag: "agentdesk-ringing" });
  notice.onclick = () => {
    window.focus();
    notice.close();
  };
}

function onRinging(call) {
  announce(ringingText(call));
  if (document.hidden) {
    startFlashing(call);
    notify(call);
  }
}

document.addEventListener("agentdesk:event", (event) => {
  const { type, payload } = event.detail;
  if (type === "Ringing") onRinging(payload);
  else if (type === "AgentState") announce(`${t("状态", "State")}: ${workbench.stateLabel(payload.state)}`);
  if (type !== "Ringing" && workbench.store.presence.state !== "ringing") stopFlashing();
});

document.addEventListener("visibilitychange", () => {
  if (!document.hidden) stopFlashing();
});

// Asked politely, once per browser, when the agent signs in.
document.querySelector('[data-action="sign-in"]')?.addEventListener("click", () => {
  if (!("Notification" in window) || Notification.permission !== "default") return;
  if (localStorage.getItem(ASKED)) return;
  localStorage.setItem(ASKED, "1");
  Notification.requestPermission().catch(() => {});
});
