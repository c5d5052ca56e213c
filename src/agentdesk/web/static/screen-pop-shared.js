// What the parts of the screen-pop configuration [弹屏配置] share (screen-pops.js, the
// parameters dialog and Try it): the API address, value labels, badges and the page's dialogs.
import { escapeHtml } from "/static/ad.js";
import { L } from "/static/crud-form.js";

export const ENDPOINT = "/api/config/screen-pops";
export const OPEN_MODES = { embed: ["嵌入", "Embedded"], independent: ["独立打开", "Independent window"] };
export const INTEGRATIONS = { get: ["URL GET", "URL GET"], post: ["URL POST", "URL POST"], webapi: ["Web API", "Web API"] };
import { BLOCKED_REASONS } from "/static/check-codes.js";

export const NOT_WHITELISTED = BLOCKED_REASONS.not_whitelisted;
export const ASK_OPS = ["请联系运营管理员将其加入地址白名单。", "Ask the operations admin to add it to the address whitelist."];

export const label = (labels, value) => escapeHtml(labels[value] ? L(labels[value]) : value ?? "");
export const badge = (kind, text, attrs = "") => `<span class="badge ${kind}" ${attrs}>${escapeHtml(text)}</span>`;

let sequence = 0;
/** A number not used before on this page, for element ids and frame names. */
export const nextId = () => ++sequence;

/** A dialog of this page with its title; removed from the document when it closes. */
export function popDialog(title) {
  const dialog = document.createElement("dialog");
  dialog.className = "pop-dialog";
  const id = `pop-dlg-${nextId()}`;
  dialog.setAttribute("aria-labelledby", id);
  dialog.innerHTML = `<h2 id="${id}">${escapeHtml(L(title))}</h2><div class="pop-dialog-body"></div>`;
  document.body.append(dialog);
  dialog.addEventListener("close", () => dialog.remove());
  return { dialog, body: dialog.querySelector(".pop-dialog-body") };
}

export function clearErrors(form) {
  form.querySelectorAll("[data-error]").forEach((el) => (el.textContent = ""));
  form.querySelectorAll(".invalid").forEach((el) => el.classList.remove("invalid"));
}
