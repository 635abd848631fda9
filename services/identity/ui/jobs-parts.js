// What the company's job console and support's job console both show: job runs with their progress; and what
// support's job console and the support console's company detail both use: retrying a failed run with a reason.
// Plain template functions over the API's answers; `page` is the CrmPage that renders them (for t() and date()).
import { formValues, html, nothing } from "crm-ui";

const SUPPORT_API = "/api/identity/v1/support";

const JOB_NAMES = {
  "services.contacts.jobs:run_import": ["Nhập khách hàng", "Customer import"],
  "services.contacts.jobs:run_export": ["Xuất khách hàng", "Customer export"],
  "services.contacts.jobs:age_statuses": ["Chuyển khách sang “Đừng quên”", "“Don't forget” status ageing"],
  "services.contacts.jobs:count_customers": ["Đếm khách hàng", "Customer count"],
  "services.partners.jobs:daily_credit_and_targets": ["Hạn mức tín dụng và chỉ tiêu chiết khấu",
                                                       "Credit holds and discount targets"],
  "services.pipeline.jobs:remind_activities": ["Nhắc việc", "Activity reminders"],
  "services.pipeline.jobs:schedule_missed_next_activities": ["Tạo hoạt động kế tiếp", "Next activities"],
  "services.pipeline.jobs:expire_quotations": ["Báo giá hết hạn", "Quotation expiry"],
  "services.pipeline.jobs:contracts_daily": ["Nhắc gia hạn hợp đồng", "Contract renewals"],
  "services.reporting.jobs:fold_rollups": ["Cập nhật báo cáo", "Report roll-ups"],
  "services.reporting.jobs:rebuild_rollups": ["Dựng lại báo cáo", "Report rebuild"],
};
const STATUSES = {
  running: ["đang chạy", "running"],
  queued: ["đang chờ", "queued"],
  succeeded: ["xong", "succeeded"],
  failed: ["lỗi", "failed"],
  never_run: ["chưa chạy", "never run"],
};
export const ACTIVE = new Set(["running", "queued"]);

export function jobName(page, name) {
  const known = JOB_NAMES[name];
  return known ? page.t(...known) : name;
}

export function runStatus(page, status) {
  const [vi, en] = STATUSES[status] || [status, status];
  return html`<span class="badge ${status === "failed" ? "off" : ""}" data-status=${status}>${page.t(vi, en)}</span>`;
}

/** A run's progress: a bar of rows done of rows total; without a total, full once finished, moving while not. */
export function progress(page, run) {
  const label = page.t(`Tiến độ: ${jobName(page, run.name)}`, `Progress: ${jobName(page, run.name)}`);
  const done = run.status === "succeeded";
  const bar = run.rows_total
    ? html`<progress aria-label=${label} max=${run.rows_total} value=${run.rows_done}></progress>`
    : done ? html`<progress aria-label=${label} max="1" value="1"></progress>`
      : ACTIVE.has(run.status) ? html`<progress aria-label=${label}></progress>` : nothing;
  const rows = run.rows_total ? `${run.rows_done} / ${run.rows_total}` : run.rows_done ? String(run.rows_done) : "";
  return html`${bar} <span data-rows>${rows}</span>`;
}

/** The columns of a runs table; `actions(run)` adds the last cell (e.g. a retry button). */
export function runColumns(page, actions) {
  return [
    [page.t("Công việc", "Job"), (r) => jobName(page, r.name)],
    [page.t("Trạng thái", "Status"), (r) => runStatus(page, r.status)],
    [page.t("Tiến độ", "Progress"), (r) => progress(page, r)],
    [page.t("Bắt đầu", "Started"), (r) => page.date(r.started_at) || "—"],
    [page.t("Kết thúc", "Finished"), (r) => page.date(r.finished_at) || "—"],
    [page.t("Lượt / lần thử", "Slices / attempts"), (r) => `${r.slices} / ${r.attempts}`],
    [page.t("Lỗi", "Error"), (r) => (r.error ? html`<details><summary>${r.error.trim().split("\n").pop()}</summary>
      <pre style="white-space: pre-wrap; max-width: 40rem">${r.error}</pre></details>` : "")],
    ["", actions],
  ];
}

/** Support's "Retry…" button: it asks for a reason by setting `page.retrying` ({tenant_id, run_id, name}). */
export function retryButton(page, tenantId, runId, name) {
  return html`<button @click=${() => { page.retrying = { tenant_id: tenantId, run_id: runId, name }; }}>
    ${page.t("Chạy lại…", "Retry…")}</button>`;
}

/** The form asking support's reason for retrying `page.retrying`; `after()` runs once the API queued the run
 * again (the reason goes to the company's audit log). Nothing while no retry is asked. */
export function retryForm(page, after) {
  if (!page.retrying) return nothing;
  const { tenant_id: tenantId, run_id: runId, name } = page.retrying;
  const submit = async (event) => {
    event.preventDefault();
    const { reason } = formValues(event.target);
    const done = await page.act(() => page.api(`${SUPPORT_API}/tenants/${tenantId}/job-runs/${runId}/retry`,
                                               { method: "POST", body: { reason } }),
                                page.t("Đã xếp lại lần chạy.", "The run is queued again."));
    if (done) {
      page.retrying = null;
      await after();
    }
  };
  return html`<form @submit=${submit} aria-label=${page.t("Chạy lại với lý do", "Retry with a reason")}>
    <p>${page.t("Chạy lại", "Retry")} <strong>${jobName(page, name)}</strong>
       ${page.t("của công ty", "of company")} <code>${tenantId}</code></p>
    <label>${page.t("Lý do (ghi vào nhật ký của công ty)", "Reason (written to the company's audit log)")}
      <input name="reason" size="40" autocomplete="off"></label>
    <button type="submit">${page.t("Chạy lại", "Retry")}</button>
    <button type="button" class="secondary" @click=${() => { page.retrying = null; }}>${page.t("Hủy", "Cancel")}</button>
  </form>`;
}
