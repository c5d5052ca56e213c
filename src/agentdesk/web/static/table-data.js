// Table data [数据表查询] (R-TBL-2): choose a published base table, export its template,
// import a CSV in the background (progress bar, then the result: status, rows imported, rows
// refused with line, field and reason, downloadable as CSV), browse and search the rows
// (masked fields masked; the search value goes in a POST body, never in a URL), export them.
// "Replace all rows" asks first, with the table's current and the file's row counts.
import { ApiError, api, escapeHtml, t } from "/static/ad.js";
import { confirmDialog } from "/static/crud.js";
import { L, errorText } from "/static/crud-form.js";

const ENDPOINT = "/api/config/base-tables";
const MAX_BYTES = 20 * 1024 * 1024;
const FILE_NAME = /^[A-Za-z0-9_\-\u3400-\u4dbf\u4e00-\u9fff]+\.csv$/i;
const PAGE_SIZE = 20;
const STATUS = {
  queued: ["排队中", "Queued"],
  running: ["导入中", "Importing"],
  done: ["导入处理完成", "Done"],
  failed: ["导入失败", "Failed"],
};
const STATUS_KIND = { queued: "", running: "warn", done: "ok", failed: "bad" };
// Why a row was refused, by rule; the server's own reason (never the value) follows in English.
const RULES = {
  required: ["必填字段为空", "Required field is empty"],
  number: ["不是数字", "Not a number"],
  length: ["超过字段长度", "Longer than the field length"],
  masked: ["是掩码值（星号），不是真实值", "A masked value (asterisks), not the real value"],
  date: ["不是日期（YYYY-MM-DD）", "Not a date (YYYY-MM-DD)"],
  time: ["不是时间（HH:MM 或 HH:MM:SS）", "Not a time (HH:MM or HH:MM:SS)"],
  dictionary: ["不是值范围中的键", "Not a key of the value range"],
  columns: ["列数与表头不一致", "Wrong number of columns"],
  duplicate: ["索引值在文件中重复", "Index value repeated in the file"],
  stored: ["索引值已存在于表中", "Index value already in the table"],
};
const ERRORS = {
  rows_refused: ["有行被拒绝，整个文件未导入，表保持原样。", "Rows were refused, so nothing of the file was imported; the table is unchanged."],
  interrupted: ["导入被中断（服务器停止），未写入任何数据。", "The import was interrupted (the server stopped); nothing was written."],
  no_rows: ["文件中没有数据行。", "The file has no data rows."],
  table_deleted: ["基础表已被删除。", "The base table was deleted."],
  table_changed: ["上传后表字段已修改，请重新导出模板后再导入。", "The table's fields changed after the upload; export the template again and import."],
  internal: ["内部错误，未写入任何数据。", "Internal error; nothing was written."],
};
// File refusals (422 on "file"), by rule.
const FILE_RULES = {
  extension: ["只允许上传 .csv 文件", "Only .csv files can be imported"],
  file_name: ["文件名只能包含中文、英文字母、数字、连字符（-）和下划线", "The file name may contain only Chinese characters, English letters, digits, hyphens (-) and underscores"],
  too_large: ["文件不能大于 20 MB", "The file must not be larger than 20 MB"],
  empty: ["文件为空", "The file is empty"],
  encoding: ["文件既不是 UTF-8 也不是 GB18030 编码", "The file is neither UTF-8 nor GB18030 text"],
  header: ["表头与模板不一致", "The header does not match the template"],
  control_character: ["文件包含不允许的控制字符", "The file contains a control character that is not allowed"],
  file_name_length: ["文件名不能超过 255 个字符", "The file name must not be longer than 255 characters"],
  cell_too_long: ["单元格内容过长", "A cell is too long"],
  csv_syntax: ["文件不是有效的 CSV", "The file is not valid CSV"],
};

const $ = (selector) => document.querySelector(selector);
const picker = $("#table-pick");
const statusLine = $("#data-status");
const importForm = $("#import-form");
const result = $("#import-result");
let tables = [];
let current = null;
let page = 1;
let query = "";
let polling = null;

function say(message, bad = false) {
  statusLine.textContent = message;
  statusLine.classList.toggle("bad", bad);
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|; )agentdesk_csrf=([^;]*)/);
  if (match) return decodeURIComponent(match[1]);
  return document.querySelector('meta[name="csrf-token"]')?.content || "";
}

const url = (path = "") => `${ENDPOINT}/${current.id}${path}`;
const when = (iso) => (iso ? new Date(`${iso}${/Z|[+-]\d\d:?\d\d$/.test(iso) ? "" : "Z"}`).toLocaleString() : "");

// ---- tables ------------------------------------------------------------------------------

async function loadTables() {
  try {
    tables = (await api("GET", ENDPOINT)).items.filter((table) => table.status === "published");
  } catch (err) {
    say(errorText(err), true);
    return;
  }
  if (!tables.length) {
    picker.innerHTML = `<option value="">${escapeHtml(t("（没有已发布的基础表）", "(no published base tables)"))}</option>`;
    picker.disabled = true;
    document.querySelectorAll("#table-data .panel, #table-data .data-tools").forEach((el) => (el.hidden = true));
    statusLine.innerHTML = `${escapeHtml(t("还没有已发布的基础表：请先在", "No published base tables yet: create and publish one under"))}
      <a href="/config/base-tables">${escapeHtml(t("基础表配置", "Base tables"))}</a>${escapeHtml(t("中创建并发布。", " first."))}`;
    statusLine.classList.add("muted");
    return;
  }
  picker.innerHTML = tables
    .map((table) => `<option value="${table.id}">${escapeHtml(table.name)}</option>`)
    .join("");
  const wanted = Number(new URLSearchParams(location.search).get("table"));
  if (tables.some((table) => table.id === wanted)) picker.value = String(wanted);
  await choose(Number(picker.value));
}

async function choose(id) {
  current = tables.find((table) => table.id === id);
  const address = new URL(location.href);
  address.searchParams.set("table", id);
  history.replaceState(null, "", address);
  $("#template-link").href = url("/template.csv");
  $("#export-link").href = url("/export.csv");
  result.innerHTML = "";
  page = 1;
  query = "";
  $("#rows-q").value = "";
  await Promise.all([loadHistory(true), loadRows()]);
}

// ---- import ------------------------------------------------------------------------------

function fileProblem(file) {
  if (!file) return t("请选择 CSV 文件", "Choose a CSV file");
  if (!/\.csv$/i.test(file.name)) return t("只允许上传 .csv 文件", "Only .csv files can be imported");
  if (!FILE_NAME.test(file.name)) {
    return t("文件名只能包含中文、英文字母、数字、连字符（-）和下划线", "The file name may contain only Chinese characters, English letters, digits, hyphens (-) and underscores");
  }
  if (file.size > MAX_BYTES) return t("文件不能大于 20 MB", "The file must not be larger than 20 MB");
  return "";
}

function showFileError(message) {
  $("#import-file-err").textContent = message;
  $("#import-file").classList.toggle("invalid", Boolean(message));
  if (message) $("#import-file").focus();
}

async function upload(event) {
  event.preventDefault();
  const file = $("#import-file").files[0];
  const problem = fileProblem(file);
  showFileError(problem);
  if (problem) return;
  const mode = importForm.querySelector('input[name="mode"]:checked').value;
  const button = $("#import-submit");
  button.disabled = true;
  renderJob({ status: "queued", progress: 0, processed_rows: 0, file_name: file.name, rejected: [], rejected_count: 0, imported_rows: 0 });
  try {
    let response = await send(file, mode);
    let data = await response.json().catch(() => null);
    if (response.status === 422 && data?.code === "confirm_replace") {
      // The server counted both: confirm deleting exactly the rows the table has now.
      const sure = await confirmDialog(
        t(`替换全部数据：将删除表中现有的 ${data.current_rows} 行，并导入文件中的 ${data.new_rows} 行。确定替换吗？`,
          `Replace all rows: the table's ${data.current_rows} row(s) will be deleted and the file's ${data.new_rows} row(s) imported. Replace them?`),
        ["替换", "Replace"],
      );
      if (!sure) {
        result.innerHTML = "";
        button.disabled = false;
        return;
      }
      response = await send(file, mode, data.current_rows);
      data = await response.json().catch(() => null);
    }
    if (!response.ok) throw new ApiError(response.status, data);
    importForm.reset();
    follow(data);
  } catch (err) {
    result.innerHTML = "";
    const errors = err.body?.errors || [];
    if (errors.length) {
      showFileError(errors.map((e) => (FILE_RULES[e.rule] ? `${L(FILE_RULES[e.rule])}: ${e.message}` : e.message)).join("; "));
    }
    else say(errorText(err), true);
    button.disabled = false;
  }
}

function send(file, mode, expectedRows) {
  const body = new FormData();
  body.append("file", file);
  body.append("mode", mode);
  if (expectedRows !== undefined) body.append("expected_rows", String(expectedRows));
  return fetch(url("/imports"), {
    method: "POST",
    body,
    headers: { "X-CSRF-Token": csrfToken() },
    credentials: "same-origin",
  });
}

function follow(job) {
  clearTimeout(polling);
  renderJob(job);
  loadHistory();
  if (job.status === "done" || job.status === "failed") {
    $("#import-submit").disabled = false;
    if (job.status === "done") loadRows();
    return;
  }
  polling = setTimeout(async () => {
    try {
      follow(await api("GET", url(`/imports/${job.id}`)));
    } catch (err) {
      say(errorText(err), true);
      $("#import-submit").disabled = false;
    }
  }, 300);
}

function renderJob(job) {
  const finished = job.status === "done" || job.status === "failed";
  const percent = job.status === "done" ? 100 : job.progress || 0;
  const rows = job.total_rows ?? job.processed_rows ?? 0;
  const rejected = (job.rejected || [])
    .map(
      (r) => `<tr data-rule="${escapeHtml(r.rule)}"><td>${r.line}</td><td>${escapeHtml(r.field || t("（整行）", "(row)"))}</td>
        <td>${RULES[r.rule] ? `${escapeHtml(L(RULES[r.rule]))} <span class="muted">(${escapeHtml(r.reason)})</span>` : escapeHtml(r.reason)}</td></tr>`,
    )
    .join("");
  const shown = job.rejected?.length || 0;
  result.innerHTML = `
    <div class="progress-line">
      <progress max="100" value="${percent}" aria-label="${escapeHtml(t("导入进度", "Import progress"))}" data-import-progress></progress>
      <span class="badge ${STATUS_KIND[job.status] || ""}" data-import-status="${escapeHtml(job.status)}">${escapeHtml(L(STATUS[job.status] || [job.status, job.status]))}</span>
      <span class="muted">${escapeHtml(finished ? "" : `${percent}%`)}</span>
    </div>
    <dl class="result-summary">
      <dt>${escapeHtml(t("文件", "File"))}</dt><dd>${escapeHtml(job.file_name || "")}</dd>
      <dt>${escapeHtml(t("已处理行数", "Rows read"))}</dt><dd data-processed>${rows}</dd>
      <dt>${escapeHtml(t("导入行数", "Rows imported"))}</dt><dd data-imported>${job.imported_rows ?? 0}</dd>
      <dt>${escapeHtml(t("拒绝行数", "Rows refused"))}</dt><dd data-rejected-count>${job.rejected_count ?? 0}</dd>
      ${job.error ? `<dt>${escapeHtml(t("原因", "Reason"))}</dt><dd class="form-error" data-import-error="${escapeHtml(job.error_code || "")}">${escapeHtml(ERRORS[job.error_code] ? L(ERRORS[job.error_code]) : job.error)}
        ${job.error_code === "internal" ? `<span class="muted">${escapeHtml(job.error)}</span>` : ""}</dd>` : ""}
    </dl>
    ${rejected && job.id ? `<p><a class="button" data-rejected-csv href="${escapeHtml(url(`/imports/${job.id}/rejected.csv`))}" download>${escapeHtml(t("下载被拒绝的行（CSV）", "Download the refused lines (CSV)"))}</a></p>` : ""}
    ${rejected ? `<div class="rejected-wrap table-wrap"><table class="grid" data-rejected>
      <caption>${escapeHtml(shown < job.rejected_count
        ? t(`被拒绝的行（显示前 ${shown} 个问题）`, `Refused rows (the first ${shown} problems)`)
        : t("被拒绝的行", "Refused rows"))}</caption>
      <thead><tr><th scope="col">${escapeHtml(t("行号", "Line"))}</th><th scope="col">${escapeHtml(t("字段", "Field"))}</th><th scope="col">${escapeHtml(t("原因", "Reason"))}</th></tr></thead>
      <tbody>${rejected}</tbody></table></div>` : ""}`;
}

async function loadHistory(resume = false) {
  let jobs = [];
  try {
    jobs = (await api("GET", url("/imports"))).items;
  } catch (err) {
    say(errorText(err), true);
    return;
  }
  const body = $("#history tbody");
  body.innerHTML = jobs.length
    ? jobs
        .map(
          (job) => `<tr data-job="${job.id}"><td>${escapeHtml(when(job.created_at))}</td><td>${escapeHtml(job.file_name)}</td>
          <td><span class="badge ${STATUS_KIND[job.status] || ""}">${escapeHtml(L(STATUS[job.status] || [job.status, job.status]))}</span></td>
          <td>${job.imported_rows}</td><td>${job.rejected_count}</td>
          <td class="actions"><button type="button" data-show="${job.id}">${escapeHtml(t("查看", "View"))}</button></td></tr>`,
        )
        .join("")
    : `<tr class="empty"><td colspan="6">${escapeHtml(t("还没有导入。", "No imports yet."))}</td></tr>`;
  body.querySelectorAll("[data-show]").forEach((button) =>
    button.addEventListener("click", () => {
      const job = jobs.find((j) => j.id === Number(button.dataset.show));
      follow(job);
    }),
  );
  // Coming back to the page while an import runs: follow it.
  const active = jobs.find((job) => job.status === "queued" || job.status === "running");
  if (resume && active) {
    $("#import-submit").disabled = true;
    follow(active);
  }
}

// ---- rows --------------------------------------------------------------------------------

async function loadRows() {
  const search = { page, page_size: PAGE_SIZE };
  if (query) search.q = query;
  let data;
  try {
    data = await api("POST", url("/rows/search"), search);
  } catch (err) {
    say(errorText(err), true);
    return;
  }
  const names = data.fields.map((f) => f.name);
  $("#rows thead").innerHTML = `<tr>${data.fields
    .map((f) => `<th scope="col">${escapeHtml(f.name)}${f.index ? ` <span class="badge">${escapeHtml(t("索引", "index"))}</span>` : ""}${f.encrypted ? ` <span class="badge warn">${escapeHtml(t("加密", "encrypted"))}</span>` : ""}</th>`)
    .join("")}</tr>`;
  const body = $("#rows tbody");
  body.innerHTML = data.items.length
    ? data.items
        .map((row) => `<tr data-row="${row.id}">${names.map((n) => `<td>${escapeHtml(row.values[n] ?? "")}</td>`).join("")}</tr>`)
        .join("")
    : `<tr class="empty"><td colspan="${Math.max(names.length, 1)}">${escapeHtml(query ? t("没有符合条件的数据", "Nothing matches") : t("还没有数据。导出模板，填入数据后导入。", "No rows yet. Export the template, fill it in and import it."))}</td></tr>`;
  renderPager(data.total);
}

function renderPager(total) {
  const pager = $("#rows-pager");
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const totalText = t(`共 ${total} 条`, `${total} in total`);
  pager.innerHTML = `<button type="button" data-page="${page - 1}" ${page <= 1 ? "disabled" : ""}>‹ ${escapeHtml(t("上一页", "Previous"))}</button>
    <span>${escapeHtml(t(`第 ${page} / ${pages} 页`, `Page ${page} of ${pages}`))}</span>
    <button type="button" data-page="${page + 1}" ${page >= pages ? "disabled" : ""}>${escapeHtml(t("下一页", "Next"))} ›</button>
    <span class="muted" data-total="${total}">${escapeHtml(totalText)}</span>`;
  pager.querySelectorAll("[data-page]").forEach((button) =>
    button.addEventListener("click", () => {
      page = Number(button.dataset.page);
      loadRows();
    }),
  );
}

// ---- wiring ------------------------------------------------------------------------------

picker.addEventListener("change", () => choose(Number(picker.value)));
importForm.addEventListener("submit", upload);
$("#import-file").addEventListener("change", () => showFileError(""));
$("#rows-search").addEventListener("submit", (event) => {
  event.preventDefault();
  query = $("#rows-q").value.trim();
  page = 1;
  loadRows();
});
loadTables();
