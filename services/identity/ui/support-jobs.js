// Support staff's job console: how many jobs wait, run and failed per queue; the running or failed jobs of every
// company; a company's runs with their progress; and retrying a failed run with a stated reason (written to that
// company's audit log).
import { CrmPage, formValues, html, nothing, PagedList } from "crm-ui";
import { jobName, retryButton, retryForm, runColumns } from "./jobs-parts.js";

const API = "/api/identity/v1/support";

/** The job function ("module:function") of an rq job, from its description ("<target> for tenant <id>"). */
function target(job) {
  return (job.description || "").split(" for tenant ")[0];
}

class SupportJobsPage extends CrmPage {
  static properties = { retrying: { state: true }, tenantId: { state: true } };

  queues = new PagedList(this, `${API}/jobs/queues`);
  jobs = new PagedList(this, `${API}/jobs`, { state: "failed" });
  tenantRuns = null;

  constructor() {
    super();
    this.retrying = null; // {tenant_id, run_id, name}: the run a reason is asked for
    this.tenantId = null; // the company whose runs are shown
  }

  refresh() {
    return this.act(() => Promise.all([this.queues.reload(), this.jobs.reload(),
                                       this.tenantRuns ? this.tenantRuns.reload() : null]));
  }

  filter(event) {
    event.preventDefault();
    const { state, queue } = formValues(event.target);
    return this.act(() => this.jobs.reload({ state, queue }));
  }

  openTenant(tenantId) {
    this.tenantId = tenantId;
    if (this.tenantRuns) this.removeController(this.tenantRuns);
    this.tenantRuns = new PagedList(this, `${API}/tenants/${tenantId}/job-runs`);
  }

  render() {
    return html`<h1>${this.t("Hàng đợi công việc", "Job queues")}</h1>
      <button class="secondary" @click=${this.refresh}>${this.t("Làm mới", "Refresh")}</button>
      ${this.renderProblem()}
      ${this.table(this.queues, [
        [this.t("Hàng đợi", "Queue"), (q) => q.name],
        [this.t("Đang chờ", "Queued"), (q) => q.queued],
        [this.t("Đang chạy", "Running"), (q) => q.started],
        [this.t("Lỗi", "Failed"), (q) => q.failed],
        [this.t("Hẹn giờ", "Scheduled"), (q) => q.scheduled],
        [this.t("Hoãn", "Deferred"), (q) => q.deferred],
      ], this.t("Độ sâu hàng đợi", "Queue depths"))}
      <h2>${this.t("Công việc của các công ty", "Companies' jobs")}</h2>
      <form @submit=${this.filter} role="search" aria-label=${this.t("Lọc công việc", "Filter jobs")}>
        <label>${this.t("Tình trạng", "State")}
          <select name="state">
            <option value="failed">${this.t("Lỗi", "Failed")}</option>
            <option value="started">${this.t("Đang chạy", "Running")}</option>
          </select></label>
        <label>${this.t("Hàng đợi", "Queue")}
          <select name="queue"><option value="">${this.t("Tất cả", "All")}</option>
            ${this.queues.items.map((q) => html`<option value=${q.name}>${q.name}</option>`)}</select></label>
        <button type="submit">${this.t("Lọc", "Filter")}</button>
      </form>
      ${retryForm(this, () => this.refresh())}
      ${this.table(this.jobs, [
        [this.t("Công ty", "Company"), (j) => (j.tenant_id
          ? html`<button class="secondary" @click=${() => this.openTenant(j.tenant_id)}
                         aria-label=${this.t(`Các lần chạy của công ty ${j.tenant_id}`, `Runs of company ${j.tenant_id}`)}>
              <code>${j.tenant_id.slice(0, 8)}</code></button>`
          : this.t("hệ thống", "platform"))],
        [this.t("Hàng đợi", "Queue"), (j) => j.queue_name],
        [this.t("Công việc", "Job"), (j) => html`<span title=${j.description || ""}>${jobName(this, target(j))}</span>`],
        [this.t("Xếp lúc", "Enqueued"), (j) => this.date(j.enqueued_at) || "—"],
        [this.t("Kết thúc", "Ended"), (j) => this.date(j.ended_at) || "—"],
        [this.t("Lỗi", "Error"), (j) => j.error || ""],
        ["", (j) => (j.state === "failed" && j.tenant_id && j.run_id
          ? retryButton(this, j.tenant_id, j.run_id, target(j)) : nothing)],
      ], this.t("Công việc", "Jobs"))}
      ${this.tenantRuns ? html`${this.table(this.tenantRuns, runColumns(this, (r) => (r.status === "failed"
          ? retryButton(this, this.tenantId, r.id, r.name) : nothing)),
          this.t(`Các lần chạy của công ty ${this.tenantId}`, `Runs of company ${this.tenantId}`))}` : nothing}`;
  }
}

customElements.define("identity-support-jobs", SupportJobsPage);
