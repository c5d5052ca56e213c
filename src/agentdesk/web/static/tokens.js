// Your API tokens (/account/tokens): create (the token is shown once), list, revoke; and
// changing your own password. Built on crud.js like the admin pages.
import { api, escapeHtml, t } from "/static/ad.js";
import { ResourceManager, confirmDialog, formDialog } from "/static/crud.js";
import { L, errorText } from "/static/crud-form.js";

const STATUS = { active: ["有效", "Active"], expired: ["已过期", "Expired"], revoked: ["已吊销", "Revoked"] };

const when = (value) => (value ? `${String(value).replace("T", " ").slice(0, 16)} UTC` : t("从未", "Never"));

/** The one time the token exists outside its owner's hands: say so, and offer to copy it. */
function showTokenOnce(token) {
  const dialog = document.createElement("dialog");
  dialog.className = "form-dialog token-once";
  dialog.innerHTML = `<form method="dialog" class="form">
    <h2>${escapeHtml(t("新的 API 令牌", "New API token"))}</h2>
    <p class="form-error" role="alert">${escapeHtml(t("令牌只显示这一次：请立即复制并妥善保存，之后无法再查看。", "This token is shown only once: copy it now and keep it safe; it cannot be shown again."))}</p>
    <input readonly data-new-token class="kv" aria-label="${escapeHtml(t("API 令牌", "API token"))}">
    <div class="dialog-actions">
      <button type="button" data-copy>${escapeHtml(t("复制", "Copy"))}</button>
      <button value="ok" class="primary">${escapeHtml(t("我已保存", "I have saved it"))}</button>
    </div></form>`;
  document.body.append(dialog);
  const input = dialog.querySelector("[data-new-token]");
  input.value = token;
  dialog.querySelector("[data-copy]").addEventListener("click", async () => {
    input.select();
    await navigator.clipboard?.writeText(token).catch(() => {});
  });
  dialog.addEventListener("close", () => dialog.remove());
  dialog.showModal();
  input.select();
}

class TokenManager extends ResourceManager {
  async afterSave(saved, message) {
    await super.afterSave(saved, message);
    if (saved?.token) showTokenOnce(saved.token);
  }
}

async function revoke(item, manager) {
  const ok = await confirmDialog(
    t(`确定吊销令牌“${item.name}”？使用它的程序将立即无法访问。`, `Revoke token "${item.name}"? Programs using it lose access at once.`),
    ["吊销", "Revoke"],
  );
  if (!ok) return;
  try {
    await api("DELETE", `/api/auth/tokens/${item.id}`);
    await manager.reload();
    manager.status(`${t("已吊销", "Revoked")}: ${item.name}`);
  } catch (err) {
    manager.status(errorText(err), true);
  }
}

async function changePassword(manager) {
  const done = await formDialog({
    title: ["修改密码", "Change password"],
    intro: [
      "修改后你的所有登录会话结束（本浏览器除外），所有 API 令牌被吊销。",
      "Afterwards every other session of yours ends and all your API tokens are revoked.",
    ],
    fields: [
      { name: "current_password", label: ["当前密码", "Current password"], widget: "password", required: true },
      { name: "new_password", label: ["新密码", "New password"], widget: "password", required: true },
    ],
    saveLabel: ["修改", "Change"],
    submit: (values) => api("POST", "/api/auth/password", values),
  });
  if (done) {
    await manager.reload();
    manager.status(t("密码已修改", "Password changed"));
  }
}

export function mountTokens(root) {
  const manager = new TokenManager(root, {
    endpoint: "/api/auth/tokens",
    title: ["API 令牌", "API tokens"],
    noun: ["API 令牌", "API token"],
    intro: [
      "令牌用于以你的身份调用 REST API（请求头 Authorization: Bearer …）。创建时只显示一次。",
      "A token calls the REST API as you (header Authorization: Bearer …). It is shown once, when created.",
    ],
    empty: ["还没有 API 令牌。", "No API tokens yet."],
    remove: false,
    update: false,
    columns: [
      { key: "name", label: ["名称", "Name"] },
      { key: "created_at", label: ["创建时间", "Created"], render: (r) => escapeHtml(when(r.created_at)) },
      { key: "expires_at", label: ["过期时间", "Expires"], render: (r) => escapeHtml(when(r.expires_at)) },
      { key: "last_used_at", label: ["最近使用", "Last used"], render: (r) => escapeHtml(when(r.last_used_at)) },
      { key: "status", label: ["状态", "Status"], render: (r) => escapeHtml(L(STATUS[r.status] || r.status)) },
    ],
    fields: [
      { name: "name", label: ["名称", "Name"] },
      { name: "expires_in_days", label: ["有效天数", "Valid for (days)"] },
    ],
    actions: [{ label: ["吊销", "Revoke"], show: (item) => item.status === "active", run: revoke }],
    toolbar: [{ label: ["修改密码", "Change password"], run: changePassword }],
  });
  return manager.start().then(() => manager);
}
