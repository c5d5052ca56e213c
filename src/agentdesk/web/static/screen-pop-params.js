// The URL parameters of a pop page [配置参数] (screen-pop configuration): the list in a dialog,
// and the form of one parameter (its name, and the call data or attached data it comes from).
import { api, escapeHtml, t } from "/static/ad.js";
import { confirmDialog, formDialog, openApi } from "/static/crud.js";
import { L, bodySchema, errorText, mergeField } from "/static/crud-form.js";
import { ENDPOINT, label, popDialog } from "/static/screen-pop-shared.js";

const SOURCES = { call_data: ["呼叫数据", "Call data"], attached_data: ["随路数据", "Attached data"] };

async function paramForm(page, param, keys, onSaved) {
  const spec = await openApi();
  const schema = bodySchema(spec, `${ENDPOINT}/{page_id}/params`, "post");
  const fields = [
    {
      name: "name", label: ["弹屏URL传递参数", "URL parameter name"], placeholder: ["caller", "caller"],
      hint: ["页面收到的参数名：字母、数字、_ . -", "The name the page receives: letters, digits, _ . -"],
    },
    { name: "source", label: ["关联系统数据参数类型", "Source type"], labels: SOURCES, required: true },
    {
      name: "key_call", label: ["关联系统数据参数", "Source key"], widget: "select", required: true,
      options: keys.map((key) => ({ value: key, label: [key, key] })),
      hint: ["九个呼叫数据参数之一", "One of the nine call-data parameters"],
      showIf: (values) => values.source !== "attached_data",
    },
    {
      name: "key_attached", label: ["关联系统数据参数", "Source key"], widget: "text", required: true, maxLength: 64,
      placeholder: ["time", "time"],
      hint: ["随路数据的键（自定义），例如 time、address、ServiceID", "A key of the call's attached data (custom), e.g. time, address, ServiceID"],
      showIf: (values) => values.source === "attached_data",
    },
  ].map((f) => mergeField(f, schema));
  let source = "call_data";
  const item = param
    ? {
        name: param.name,
        source: param.source,
        key_call: param.source === "call_data" ? param.key : "",
        key_attached: param.source === "attached_data" ? param.key : "",
      }
    : {};
  const saved = await formDialog({
    title: param ? [`编辑参数 ${param.name}`, `Edit parameter ${param.name}`] : ["新增参数", "New parameter"],
    fields,
    item,
    saveLabel: ["提交", "Submit"],
    mapErrorField: (field) => (field === "key" ? (source === "attached_data" ? "key_attached" : "key_call") : field),
    submit: (values) => {
      const { key_call, key_attached, ...rest } = values;
      source = rest.source;
      const body = { ...rest, key: rest.source === "attached_data" ? key_attached : key_call };
      const url = `${ENDPOINT}/${page.id}/params${param ? `/${param.id}` : ""}`;
      return api(param ? "PUT" : "POST", url, body);
    },
  });
  if (saved) await onSaved(saved);
}

export async function openParams(page, manager) {
  const { dialog, body } = popDialog([`配置参数：${page.name}`, `Parameters: ${page.name}`]);
  dialog.classList.add("params-dialog");
  body.innerHTML = `
    <p class="muted">${escapeHtml(t(
      "若不配置参数，页面接收九个默认参数；若配置，只传递配置的参数。参数值随每次呼叫变化。",
      "With no parameters configured the page receives the nine default parameters; once some are configured, exactly those are sent. Values change with each call.",
    ))}</p>
    <div class="toolbar-row"><span class="pop-limit" data-param-limit></span>
      <button type="button" class="primary" data-add-param>+ ${escapeHtml(t("新增参数", "New parameter"))}</button></div>
    <p class="limit-note" data-param-limit-note hidden></p>
    <p class="status" role="status" aria-live="polite"></p>
    <div class="table-wrap"><table class="grid"><caption class="sr-only">${escapeHtml(t("参数", "Parameters"))}</caption>
      <thead><tr>
        <th scope="col">${escapeHtml(t("弹屏URL传递参数", "URL parameter"))}</th>
        <th scope="col">${escapeHtml(t("关联系统数据参数类型", "Source type"))}</th>
        <th scope="col">${escapeHtml(t("关联系统数据参数", "Source key"))}</th>
        <th scope="col">${escapeHtml(t("操作", "Actions"))}</th>
      </tr></thead><tbody></tbody></table></div>
    <div class="dialog-actions"><button type="button" data-close>${escapeHtml(t("关闭", "Close"))}</button></div>`;
  const status = (text, bad = false) => {
    const el = body.querySelector(".status");
    el.textContent = text;
    el.classList.toggle("bad", bad);
  };
  let data = { items: [], total: 0, limit: 0, call_data_keys: [] };
  let changed = false;

  const render = () => {
    const full = data.total >= data.limit;
    body.querySelector("[data-param-limit]").innerHTML =
      `${escapeHtml(t("参数数", "Parameters"))}: <b data-count>${escapeHtml(`${data.total} / ${data.limit}`)}</b>`;
    const add = body.querySelector("[data-add-param]");
    const note = body.querySelector("[data-param-limit-note]");
    const reason = t(
      `已达到单个页面的参数上限（${data.limit} 个，系统参数“每个租户单个弹屏页面配置URL传递的最大参数数”）。`,
      `This page has reached its limit of ${data.limit} parameters (system parameter "max URL parameters per pop page").`,
    );
    add.disabled = full;
    add.title = full ? reason : "";
    note.hidden = !full;
    note.textContent = full ? reason : "";
    const tbody = body.querySelector("tbody");
    if (!data.items.length) {
      tbody.innerHTML = `<tr class="empty" data-defaults><td colspan="4">${escapeHtml(t(
        "未配置参数：将传递九个默认参数：",
        "None configured: the nine default parameters are sent:",
      ))} <span class="kv">${escapeHtml(data.call_data_keys.join(", "))}</span></td></tr>`;
      return;
    }
    tbody.innerHTML = "";
    for (const param of data.items) {
      const row = document.createElement("tr");
      row.dataset.id = param.id;
      row.innerHTML = `<td class="kv">${escapeHtml(param.name)}</td><td>${label(SOURCES, param.source)}</td>
        <td class="kv">${escapeHtml(param.key)}</td><td class="actions"></td>`;
      const cell = row.querySelector(".actions");
      const button = (text, className, handler) => {
        const b = document.createElement("button");
        b.type = "button";
        b.className = className;
        b.textContent = L(text);
        b.setAttribute("aria-label", `${L(text)} ${param.name}`);
        b.addEventListener("click", handler);
        cell.append(b);
      };
      button(["编辑", "Edit"], "", () => paramForm(page, param, data.call_data_keys, saved));
      button(["删除", "Delete"], "danger", () => remove(param));
      tbody.append(row);
    }
  };

  const load = async () => {
    try {
      data = await api("GET", `${ENDPOINT}/${page.id}/params`);
      render();
    } catch (err) {
      status(errorText(err), true);
    }
  };

  const saved = async (param) => {
    changed = true;
    await load();
    status(`${t("已保存", "Saved")}: ${param.name}`);
  };

  const remove = async (param) => {
    const ok = await confirmDialog(
      t(`确定删除参数“${param.name}”？`, `Delete parameter "${param.name}"?`),
    );
    if (!ok) return;
    try {
      await api("DELETE", `${ENDPOINT}/${page.id}/params/${param.id}`);
      changed = true;
      await load();
      status(`${t("已删除", "Deleted")}: ${param.name}`);
    } catch (err) {
      status(errorText(err), true);
    }
  };

  body.querySelector("[data-add-param]").addEventListener("click", () => paramForm(page, null, data.call_data_keys, saved));
  body.querySelector("[data-close]").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    if (changed) manager.load();
  });
  dialog.showModal();
  await load();
  body.querySelector("[data-add-param]:not(:disabled)")?.focus();
}
