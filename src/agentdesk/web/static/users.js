// Business accounts [业务账号] (configuration center): accounts, their roles, password reset.
import { api, t } from "/static/ad.js";
import { formDialog, mountResource, openApi } from "/static/crud.js";
import { bodySchema, mergeField } from "/static/crud-form.js";

const ROLES = { agent: ["座席", "Agent"], tenant_admin: ["租户管理员", "Tenant admin"], custom: ["自定义角色", "Custom role"] };

async function changePassword(user, manager) {
  const spec = await openApi();
  const path = Object.keys(spec.paths || {}).find((p) => /^\/api\/config\/users\/\{[^/]+\}\/password$/.test(p));
  const schema = path ? bodySchema(spec, path, "post") : null;
  const name = Object.keys(schema?.properties || { password: {} })[0];
  const field = mergeField({ name, label: ["新密码", "New password"], widget: "password", required: true }, schema);
  const done = await formDialog({
    title: [`重置密码：${user.username}`, `Reset password: ${user.username}`],
    intro: ["保存后该账号的所有登录会话结束，API 令牌全部吊销。", "Saving ends every session of this account and revokes its API tokens."],
    fields: [field],
    submit: (values) => api("POST", `/api/config/users/${user.id}/password`, values),
  });
  if (done) manager.status(`${t("密码已重置", "Password reset")}: ${user.username}`);
}

mountResource(document.getElementById("resource"), {
  endpoint: "/api/config/users",
  title: ["业务账号", "Business accounts"],
  noun: ["业务账号", "business account"],
  nameKey: "username",
  empty: ["还没有业务账号。", "No business accounts yet."],
  sources: { roles: "/api/config/roles" },
  columns: [
    { key: "username", label: ["账号", "Username"] },
    { key: "display_name", label: ["姓名", "Display name"] },
    { key: "role", label: ["内置角色", "Built-in role"], labels: ROLES },
    { key: "custom_role_id", label: ["自定义角色", "Custom role"], source: "roles", emptyLabel: ["—", "—"] },
    { key: "active", label: ["启用", "Active"] },
  ],
  fields: [
    { name: "username", label: ["账号", "Username"], autocomplete: "off" },
    { name: "display_name", label: ["姓名", "Display name"] },
    { name: "password", label: ["密码", "Password"], widget: "password", createOnly: true },
    { name: "role", label: ["内置角色", "Built-in role"], labels: ROLES },
    { name: "custom_role_id", label: ["自定义角色", "Custom role"], source: "roles", blankLabel: ["（无）", "(none)"] },
    { name: "active", label: ["启用", "Active"], initial: true },
  ],
  actions: [{ label: ["重置密码", "Reset password"], run: changePassword }],
});
