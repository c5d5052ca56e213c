// IVR flows [流程管理] in the configuration center: the list (crud.js), the flow designer
// (definition as JSON, step templates, the diagram drawn as SVG from the server's layout,
// the problems a publish would refuse, each naming the step and the rule) and Try it
// [试运行] (the flow run without a call: prompts, the exact interface request and answer,
// the path taken).
import { api, escapeHtml, t } from "/static/ad.js";
import { confirmDialog, mountResource } from "/static/crud.js";
import { errorText } from "/static/crud-form.js";

const ENDPOINT = "/api/config/ivr-flows";
const TYPES = {
  play: ["放音", "Play"],
  menu: ["菜单", "Menu"],
  collect: ["收号", "Collect digits"],
  interface: ["调用接口", "Call interface"],
  set: ["设置数据", "Set data"],
  branch: ["条件分支", "Branch"],
  transfer_queue: ["转技能队列", "Transfer to queue"],
  return_to_agent: ["返回座席", "Return to agent"],
  release: ["挂机", "Release"],
};
const COLORS = {
  play: "#e0f2fe", menu: "#fef3c7", collect: "#fef3c7", interface: "#ede9fe", set: "#f1f5f9",
  branch: "#f1f5f9", transfer_queue: "#dcfce7", return_to_agent: "#dcfce7", release: "#fee2e2",
};
const TEMPLATES = {
  play: { type: "play", prompt: "", next: "" },
  menu: { type: "menu", prompt: "", options: { 1: "" }, default: "", retries: 2, timeout_seconds: 5, invalid_prompt: "" },
  collect: { type: "collect", prompt: "", key: "digits", min_length: 1, max_length: 8, terminator: "#", first_digit_timeout_seconds: 10, inter_digit_timeout_seconds: 5, retries: 2, masked: false, next: "", on_failure: "" },
  interface: { type: "interface", interface_id: 0, body: { calldata: {} }, timeout_seconds: 5, map: {}, next: "", on_error: "" },
  set: { type: "set", values: { key: "value" }, next: "" },
  branch: { type: "branch", key: "", cases: {}, default: "" },
  transfer_queue: { type: "transfer_queue", queue_id: 0 },
  return_to_agent: { type: "return_to_agent" },
  release: { type: "release", prompt: "" },
};
const typeName = (type) => t(...(TYPES[type] || [type, type]));
const pretty = (value) => JSON.stringify(value, null, 2);

// ---- the diagram --------------------------------------------------------------------------

const W = 170, H = 58, GAP_X = 70, GAP_Y = 34, PAD = 16;
const at = (node) => ({ x: PAD + node.column * (W + GAP_X), y: PAD + node.row * (H + GAP_Y) });

/** SVG of the server's layout: one box per step, one labelled arrow per branch. */
export function diagramSvg(diagram) {
  if (!diagram.nodes.length) return `<p class="muted">${escapeHtml(t("还没有步骤。", "No steps yet."))}</p>`;
  const width = PAD * 2 + diagram.columns * (W + GAP_X);
  const height = PAD * 2 + Math.max(1, diagram.rows) * (H + GAP_Y);
  const nodes = Object.fromEntries(diagram.nodes.map((n) => [n.id, n]));
  const edges = diagram.edges.map((e, i) => {
    const from = at(nodes[e.source]);
    const x1 = from.x + W, y1 = from.y + H / 2 + ((i % 3) - 1) * 8;
    if (e.missing) {
      return `<g class="edge missing" data-edge="${escapeHtml(`${e.source}>${e.target}`)}"><line x1="${x1}" y1="${y1}" x2="${x1 + 40}" y2="${y1}"/>
        <text x="${x1 + 4}" y="${y1 - 4}">${escapeHtml(`${e.label} → ${e.target}?`)}</text></g>`;
    }
    const to = at(nodes[e.target]);
    const x2 = to.x, y2 = to.y + H / 2;
    const back = x2 <= x1;
    const path = back
      ? `M${x1},${y1} C${x1 + 60},${y1 + 70} ${x2 - 60},${y2 + 70} ${x2},${y2}`
      : `M${x1},${y1} C${x1 + 35},${y1} ${x2 - 35},${y2} ${x2},${y2}`;
    const lx = back ? (x1 + x2) / 2 : x1 + 6, ly = back ? Math.max(y1, y2) + 52 : y1 - 4;
    return `<g class="edge" data-edge="${escapeHtml(`${e.source}>${e.target}`)}"><path d="${path}" marker-end="url(#arrow)"/>
      <text x="${lx}" y="${ly}">${escapeHtml(e.label)}</text></g>`;
  });
  const boxes = diagram.nodes.map((n) => {
    const { x, y } = at(n);
    return `<g class="node${n.start ? " start" : ""}" data-step="${escapeHtml(n.id)}" data-type="${escapeHtml(n.type)}">
      <title>${escapeHtml(`${n.id} · ${typeName(n.type)} · ${n.label}`)}</title>
      <rect x="${x}" y="${y}" width="${W}" height="${H}" rx="8" fill="${COLORS[n.type] || "#fff"}"/>
      <text x="${x + 8}" y="${y + 18}" class="node-id">${escapeHtml(n.start ? `▶ ${n.id}` : n.id)}</text>
      <text x="${x + 8}" y="${y + 34}" class="node-type">${escapeHtml(typeName(n.type))}</text>
      <text x="${x + 8}" y="${y + 50}" class="node-label">${escapeHtml(n.label.slice(0, 24))}</text></g>`;
  });
  return `<svg class="flow-diagram" role="img" aria-label="${escapeHtml(t("流程图", "Flow diagram"))}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
    <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>
    ${edges.join("")}${boxes.join("")}</svg>`;
}

function problemsHtml(problems) {
  if (!problems.length) return `<p class="ok-note" data-problems-ok>${escapeHtml(t("检查通过，可以发布。", "No problems: ready to publish."))}</p>`;
  return `<ul class="problems" role="alert">${problems
    .map((p) => `<li data-problem="${escapeHtml(`${p.step_id ?? ""}:${p.field}:${p.rule}`)}">${escapeHtml(p.message)} <span class="muted">(${escapeHtml(p.rule)})</span></li>`)
    .join("")}</ul>`;
}

// ---- the designer -------------------------------------------------------------------------

function shell(className, title) {
  const dialog = document.createElement("dialog");
  dialog.className = `flow-dialog ${className}`;
  dialog.setAttribute("aria-label", title);
  document.body.append(dialog);
  dialog.addEventListener("close", () => dialog.remove());
  return dialog;
}

async function openDesigner(item, manager) {
  const flow = await api("GET", `${ENDPOINT}/${item.id}`);
  const dialog = shell("flow-designer", t(`设计流程 ${flow.name}`, `Design flow ${flow.name}`));
  const options = Object.keys(TYPES).map((k) => `<option value="${k}">${escapeHtml(typeName(k))}</option>`).join("");
  dialog.innerHTML = `<div class="designer">
    <div class="toolbar-row"><h2>${escapeHtml(t(`设计流程：${flow.name}`, `Design flow: ${flow.name}`))}</h2>
      <span class="muted" data-version>${escapeHtml(flow.published_version ? t(`已发布版本 ${flow.published_version}`, `Published version ${flow.published_version}`) : t("未发布", "Not published"))}</span>
      <button type="button" data-close>${escapeHtml(t("关闭", "Close"))}</button></div>
    <div class="designer-body">
      <div class="designer-source">
        <label for="flow-json">${escapeHtml(t("流程定义（JSON）", "Flow definition (JSON)"))}</label>
        <textarea id="flow-json" name="definition" spellcheck="false" rows="24"></textarea>
        <div class="toolbar-row">
          <label>${escapeHtml(t("添加步骤", "Add step"))} <select data-add-type>${options}</select></label>
          <button type="button" data-add>${escapeHtml(t("添加", "Add"))}</button>
          <button type="button" data-check>${escapeHtml(t("检查", "Check"))}</button>
          <button type="button" data-save>${escapeHtml(t("保存草稿", "Save draft"))}</button>
          <button type="button" class="primary" data-publish>${escapeHtml(t("发布", "Publish"))}</button>
        </div>
        <p class="status" role="status" aria-live="polite" data-status></p>
      </div>
      <div class="designer-view">
        <h3>${escapeHtml(t("流程图", "Diagram"))}</h3>
        <div class="diagram-wrap" data-diagram></div>
        <h3>${escapeHtml(t("检查结果", "Problems"))}</h3>
        <div data-problems></div>
      </div>
    </div></div>`;
  const source = dialog.querySelector("textarea");
  const status = (text, bad = false) => {
    const el = dialog.querySelector("[data-status]");
    el.textContent = text;
    el.classList.toggle("bad", bad);
  };
  source.value = pretty(flow.draft);
  const parsed = () => {
    try {
      return JSON.parse(source.value);
    } catch (err) {
      status(t(`JSON 格式错误：${err.message}`, `The JSON is not valid: ${err.message}`), true);
      return null;
    }
  };
  const check = async () => {
    const definition = parsed();
    if (!definition) return null;
    try {
      const result = await api("POST", `${ENDPOINT}/check`, { definition });
      dialog.querySelector("[data-diagram]").innerHTML = diagramSvg(result.diagram);
      dialog.querySelector("[data-problems]").innerHTML = problemsHtml(result.problems);
      return definition;
    } catch (err) {
      status(errorText(err), true);
      return null;
    }
  };
  const save = async () => {
    const definition = await check();
    if (!definition) return false;
    try {
      await api("PUT", `${ENDPOINT}/${flow.id}`, { name: flow.name, description: flow.description, definition });
      status(t("草稿已保存", "Draft saved"));
      return true;
    } catch (err) {
      status(errorText(err), true);
      return false;
    }
  };
  let timer = null;
  source.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(check, 700);
  });
  dialog.querySelector("[data-add]").addEventListener("click", () => {
    const definition = parsed();
    if (!definition) return;
    const type = dialog.querySelector("[data-add-type]").value;
    definition.steps = Array.isArray(definition.steps) ? definition.steps : [];
    let n = definition.steps.length + 1;
    while (definition.steps.some((s) => s.id === `${type}${n}`)) n += 1;
    definition.steps.push({ id: `${type.replace(/_/g, "")}${n}`, ...TEMPLATES[type] });
    if (!definition.start) definition.start = definition.steps[0].id;
    source.value = pretty(definition);
    check();
  });
  dialog.querySelector("[data-check]").addEventListener("click", check);
  dialog.querySelector("[data-save]").addEventListener("click", save);
  dialog.querySelector("[data-publish]").addEventListener("click", async () => {
    if (!(await save())) return;
    try {
      const published = await api("POST", `${ENDPOINT}/${flow.id}/publish`);
      dialog.querySelector("[data-version]").textContent = t(`已发布版本 ${published.published_version}`, `Published version ${published.published_version}`);
      status(t("已发布", "Published"));
      manager.reload();
    } catch (err) {
      const errors = err.body?.errors || [];
      status(errors.length ? `${t("不能发布", "Cannot publish")}: ${errors.map((e) => `${e.message} (${e.rule})`).join("; ")}` : errorText(err), true);
    }
  });
  dialog.querySelector("[data-close]").addEventListener("click", () => {
    dialog.close();
    manager.reload();
  });
  dialog.showModal();
  await check();
}

// ---- try it -------------------------------------------------------------------------------

function eventHtml(e) {
  const line = (cls, label, body) => `<li class="try-${cls}" data-kind="${cls}"><span class="try-label">${escapeHtml(label)}</span> ${body}</li>`;
  switch (e.kind) {
    case "say": return line("say", t("放音", "Prompt"), `<q>${escapeHtml(e.text)}</q>${e.audio ? ` <span class="muted">(${escapeHtml(e.audio)})</span>` : ""}`);
    case "wait": return line("wait", t("等待按键", "Waiting for keys"), `<span class="muted">${escapeHtml(t("超时于", "time-out at"))} ${escapeHtml(new Date(e.deadline * 1000).toLocaleTimeString())}</span>`);
    case "request": return line("request", t(`请求接口 ${e.interface}（步骤 ${e.step_id}）`, `Request to ${e.interface} (step ${e.step_id})`), `<pre data-request>${escapeHtml(pretty(e.body))}</pre>`);
    case "answer": {
      const meta = [e.status ? `HTTP ${e.status}` : "", e.elapsed_ms != null ? `${e.elapsed_ms} ms` : ""].filter(Boolean).join(" · ");
      const error = e.error ? `<div class="answer-error" data-answer-error>${escapeHtml(e.error)}</div>` : "";
      const body = e.body != null ? `<pre data-answer>${escapeHtml(typeof e.body === "string" ? e.body : pretty(e.body))}</pre>` : "";
      return line("answer", t("接口应答", "Answer"), `<span class="muted">${escapeHtml(meta)}</span>${error}${body}`);
    }
    case "transfer": return line("end", t("转技能队列", "Transfer to queue"), escapeHtml(`#${e.queue_id}`));
    case "return": return line("end", t("返回座席", "Return to agent"), "");
    case "release": return line("end", t("挂机", "Release"), e.text ? `<q>${escapeHtml(e.text)}</q>` : "");
    default: return line("other", e.kind, "");
  }
}

function parseData(text) {
  const data = {};
  for (const raw of text.split("\n")) {
    const lineText = raw.trim();
    if (!lineText) continue;
    const at = lineText.indexOf("=");
    if (at > 0) data[lineText.slice(0, at).trim()] = lineText.slice(at + 1).trim();
  }
  return data;
}

function openTry(item) {
  const dialog = shell("flow-try", t(`试运行 ${item.name}`, `Try ${item.name}`));
  dialog.innerHTML = `<div class="try">
    <div class="toolbar-row"><h2>${escapeHtml(t(`试运行：${item.name}`, `Try it: ${item.name}`))}</h2>
      <button type="button" data-close>${escapeHtml(t("关闭", "Close"))}</button></div>
    <div class="try-setup toolbar-row">
      <label>${escapeHtml(t("版本", "Version"))} <select name="version">
        <option value="draft">${escapeHtml(t("草稿", "Draft"))}</option>
        ${item.published_version ? `<option value="published">${escapeHtml(t("已发布", "Published"))}</option>` : ""}</select></label>
      <label>${escapeHtml(t("随路数据（每行 key=value）", "Call data (key=value per line)"))}
        <textarea name="data" rows="2">verifyServiceNo=88880011\nverifyWorkNo=101</textarea></label>
      <button type="button" class="primary" data-begin>${escapeHtml(t("开始", "Start"))}</button>
    </div>
    <form class="try-keys toolbar-row" novalidate>
      <label>${escapeHtml(t("按键", "Keys"))} <input name="digits" autocomplete="off" inputmode="tel" pattern="[0-9*#]+" maxlength="64" disabled></label>
      <button type="submit" data-send disabled>${escapeHtml(t("发送按键", "Send keys"))}</button>
      <button type="button" data-timeout disabled>${escapeHtml(t("立即超时", "Time out now"))}</button>
    </form>
    <p class="status" role="status" aria-live="polite" data-status></p>
    <ol class="try-log" data-log aria-live="polite"></ol>
    <p><strong>${escapeHtml(t("路径", "Path"))}:</strong> <span data-path></span></p>
    <p><strong>${escapeHtml(t("随路数据", "Attached data"))}:</strong> <code data-data></code></p></div>`;
  const log = dialog.querySelector("[data-log]");
  const digits = dialog.querySelector('input[name="digits"]');
  const status = (text, bad = false) => {
    const el = dialog.querySelector("[data-status]");
    el.textContent = text;
    el.classList.toggle("bad", bad);
  };
  let run = null, version = "draft", timer = null;
  const enable = (on) => {
    digits.disabled = !on;
    dialog.querySelector("[data-send]").disabled = !on;
    dialog.querySelector("[data-timeout]").disabled = !on;
  };
  const send = async (event, data) => {
    clearTimeout(timer);
    try {
      const result = await api("POST", `${ENDPOINT}/${item.id}/try`, { version, event, run, data });
      run = result.run;
      log.insertAdjacentHTML("beforeend", result.events.map(eventHtml).join(""));
      dialog.querySelector("[data-path]").textContent = result.path.join(" → ");
      dialog.querySelector("[data-data]").textContent = JSON.stringify(result.data);
      enable(result.waiting);
      status(result.finished ? t("流程已结束", "The flow has ended") : "");
      if (result.waiting && run.deadline) {
        timer = setTimeout(() => send({ type: "timeout" }), Math.max(0, (run.deadline - result.now) * 1000));
      }
      if (result.waiting) digits.focus();
    } catch (err) {
      status(errorText(err), true);
    }
  };
  dialog.querySelector("[data-begin]").addEventListener("click", () => {
    version = dialog.querySelector('select[name="version"]').value;
    run = null;
    log.innerHTML = "";
    send({ type: "begin" }, parseData(dialog.querySelector('textarea[name="data"]').value));
  });
  dialog.querySelector("form").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = digits.value.trim();
    if (!/^[0-9*#]+$/.test(value) || value.length > 64) {
      status(t("按键只能是 0-9、* 和 #", "Keys are 0-9, * and # only"), true);
      return;
    }
    log.insertAdjacentHTML("beforeend", `<li class="try-keys" data-kind="keys"><span class="try-label">${escapeHtml(t("按键", "Keys"))}</span> <kbd>${escapeHtml(value)}</kbd></li>`);
    digits.value = "";
    send({ type: "digits", digits: value });
  });
  dialog.querySelector("[data-timeout]").addEventListener("click", () => send({ type: "timeout" }));
  dialog.querySelector("[data-close]").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => clearTimeout(timer));
  dialog.showModal();
}

// ---- the list -----------------------------------------------------------------------------

mountResource(document.getElementById("resource"), {
  endpoint: ENDPOINT,
  title: ["流程管理", "IVR flows"],
  noun: ["流程", "IVR flow"],
  intro: ["IVR 流程：放音、菜单、收号、调用接口、设置数据、条件分支、转技能队列、返回座席、挂机。先设计，检查通过后发布，呼叫只运行已发布的版本。", "IVR flows: play, menu, collect digits, call interface, set data, branch, transfer to queue, return to agent, release. Design, check, then publish: calls only run the published version."],
  empty: ["还没有流程。新建一个，再点击“设计”。", "No flows yet. Create one, then press Design."],
  columns: [
    { key: "name", label: ["名称", "Name"] },
    { key: "description", label: ["描述", "Description"] },
    { key: "steps", label: ["步骤数", "Steps"] },
    {
      key: "published_version", label: ["状态", "Status"],
      render: (f) => escapeHtml(f.published_version
        ? t(`已发布 v${f.published_version}${f.draft_changed ? "（草稿有修改）" : ""}`, `Published v${f.published_version}${f.draft_changed ? " (draft changed)" : ""}`)
        : t("草稿", "Draft")),
    },
  ],
  fields: [
    { name: "name", label: ["名称", "Name"], hint: ["租户内唯一", "Unique in the tenant"] },
    { name: "description", label: ["描述", "Description"] },
  ],
  prepare: (values) => ({ name: values.name, description: values.description || "" }),
  actions: [
    { label: ["设计", "Design"], run: (item, manager) => openDesigner(item, manager) },
    { label: ["试运行", "Try it"], run: (item) => openTry(item) },
    {
      label: ["复制", "Copy"],
      run: async (item, manager) => {
        try {
          const copy = await api("POST", `${ENDPOINT}/${item.id}/copy`, {});
          await manager.reload();
          manager.status(`${t("已复制", "Copied")}: ${copy.name}`);
        } catch (err) {
          manager.status(errorText(err), true);
        }
      },
    },
    {
      label: ["发布", "Publish"],
      run: async (item, manager) => {
        if (!(await confirmDialog(t(`发布流程“${item.name}”的草稿？`, `Publish the draft of flow "${item.name}"?`), ["发布", "Publish"]))) return;
        try {
          const published = await api("POST", `${ENDPOINT}/${item.id}/publish`);
          await manager.reload();
          manager.status(`${t("已发布", "Published")}: ${published.name} v${published.published_version}`);
        } catch (err) {
          const errors = err.body?.errors || [];
          manager.status(errors.length ? `${t("不能发布", "Cannot publish")}: ${errors.map((e) => `${e.message} (${e.rule})`).join("; ")}` : errorText(err), true);
        }
      },
    },
  ],
});
