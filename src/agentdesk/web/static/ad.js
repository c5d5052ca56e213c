// Shared helpers for every page: API calls with CSRF, field errors, language switch.

export function lang() {
  return document.documentElement.dataset.lang || "zh";
}

export function t(zh, en) {
  return lang() === "zh" ? zh : en;
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|; )agentdesk_csrf=([^;]*)/);
  if (match) return decodeURIComponent(match[1]);
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.detail) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

export async function api(method, url, body) {
  const init = { method, headers: { "X-CSRF-Token": csrfToken() }, credentials: "same-origin" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    // The browser's own text ("Failed to fetch") says nothing to a user.
    throw new ApiError(0, { detail: t("网络错误：请检查网络连接后重试", "Network error: check the connection and try again") });
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// Show an API error next to the fields it names; anything else goes to the form's _form slot.
export function showErrors(form, err) {
  form.querySelectorAll("[data-error]").forEach((el) => {
    el.textContent = "";
    delete el.dataset.rule;
  });
  form.querySelectorAll(".invalid").forEach((el) => el.classList.remove("invalid"));
  const errors = (err.body && err.body.errors) || [];
  const unplaced = [];
  for (const e of errors) {
    const slot = form.querySelector(`[data-error="${CSS.escape(e.field)}"]`);
    const input = form.querySelector(`[name="${CSS.escape(e.field)}"]`);
    if (input) input.classList.add("invalid");
    // The server sends the message in the page's language; the rule code is for programs.
    if (slot) {
      slot.textContent = e.message;
      slot.dataset.rule = e.rule; // for programs and tests, not for the reader
    }
    else unplaced.push(`${e.field}: ${e.message}`);
  }
  const general = form.querySelector('[data-error="_form"]');
  const text = unplaced.length ? unplaced.join("; ") : errors.length ? "" : err.message;
  if (general) general.textContent = text;
}

export function escapeHtml(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

// Escape closes a modal dialog even while the focus is inside a frame it shows (a custom
// page's preview): keys typed in a frame go to the frame's document, never to ours. Only a
// same-origin frame can be listened to; a third-party page keeps its keys (its dialog has a
// Close button, and Escape works again once the focus is back outside the frame).
function closeDialogsOnEscapeInFrames() {
  document.addEventListener(
    "load",
    (event) => {
      const frame = event.target;
      const dialog = frame instanceof HTMLIFrameElement ? frame.closest("dialog") : null;
      if (!dialog) return;
      let inner;
      try {
        inner = frame.contentDocument;
      } catch {
        return; // another origin
      }
      inner?.addEventListener("keydown", (key) => {
        if (key.key === "Escape" && dialog.open) dialog.close();
      });
    },
    true, // load does not bubble: listen while it travels down
  );
}

function wireChrome() {
  closeDialogsOnEscapeInFrames();
  document.querySelectorAll("[data-lang-switch]").forEach((button) =>
    button.addEventListener("click", () => {
      document.cookie = `lang=${button.dataset.langSwitch}; path=/; SameSite=Lax; max-age=31536000`;
      location.reload();
    }),
  );
  document.querySelectorAll("[data-logout]").forEach((button) =>
    button.addEventListener("click", async () => {
      await api("POST", "/api/auth/logout");
      location.href = "/login";
    }),
  );
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wireChrome);
else wireChrome();
