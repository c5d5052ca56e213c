// The login form: errors next to the fields, the wait after too many failed logins.
import { api, showErrors, t } from "/static/ad.js";
const form = document.getElementById("login-form");
form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const body = Object.fromEntries(new FormData(form));
  try {
    await api("POST", "/api/auth/login", body);
    // The server resolved and checked `next` (same-origin path only): never read it here.
    location.href = form.dataset.next || "/";
  } catch (err) {
    showErrors(form, err);
    if (err.status === 429) {
      const wait = err.body.retry_after;
      form.querySelector('[data-error="_form"]').textContent = t(
        `登录失败次数过多，请 ${wait} 秒后再试。`,
        `Too many failed logins: try again in ${wait} seconds.`,
      );
    }
  }
});
