// The company's job console: its imports, exports and scheduled jobs with their progress; a failed run can be
// retried. While a run is running or waiting, the list refreshes itself.
import { CrmPage, formValues, html, nothing, PagedList } from "crm-ui";
import { ACTIVE, jobName, runColumns, runStatus } from "./jobs-parts.js";

const API = "/api/identity/v1/jobs";
const REFRESH_MS = 2000; // while a run is running or waiting
const IDLE_REFRESH_MS = 15000; // otherwise, to show runs started elsewhere

class JobsPage extends CrmPage {
  runs = new PagedList(this, `${API}/runs`);
  schedules = new PagedList(this, `${API}/schedules`);

  connectedCallback() {
    super.connectedCallback();
    this.refreshedAt = Date.now(); // the lists load now
    this.timer = setInterval(() => this.refreshActive(), REFRESH_MS);
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    clearInterval(this.timer);
  }

  /** Reload every few seconds while a run is running or waiting for its next slice, now and then otherwise. */
  refreshActive() {
    const now = Date.now();
    const active = this.runs.items.some((run) => ACTIVE.has(run.status));
    if (active || now - (this.refreshedAt || 0) >= IDLE_REFRESH_MS) this.refresh();
  }

  refresh() {
    this.refreshedAt = Date.now();
    return this.refreshQuietly(() => Promise.all([this.runs.reload(), this.schedules.reload()]));
  }

  filter(event) {
    event.preventDefault();
    const { status } = formValues(event.target);
    return this.act(() => this.runs.reload({ status }));
  }

  async retry(run) {
    const retried = await this.act(() => this.api(`${API}/runs/${run.id}/retry`, { method: "POST" }),
                                   this.t("Đã xếp lại lần chạy.", "The run is queued again."));
    if (retried) await this.act(() => Promise.all([this.runs.reload(), this.schedules.reload()]));
  }

  render() {
    return html`<h1>${this.t("Công việc nền", "Background jobs")}</h1>
      ${this.renderProblem()}
      ${this.table(this.schedules, [
        [this.t("Công việc", "Job"), (s) => jobName(this, s.job)],
        [this.t("Lịch", "Schedule"), (s) => s.schedule],
        [this.t("Lần chạy gần nhất", "Last run"), (s) => runStatus(this, s.status)],
        [this.t("Lần tới", "Next run"), (s) => this.date(s.next_run_at)],
      ], this.t("Việc hằng ngày", "Daily jobs"))}
      <h2>${this.t("Các lần chạy", "Runs")}</h2>
      <form @submit=${this.filter} role="search" aria-label=${this.t("Lọc các lần chạy", "Filter runs")}>
        <label>${this.t("Trạng thái", "Status")}
          <select name="status">
            <option value="">${this.t("Tất cả", "All")}</option>
            ${["running", "queued", "succeeded", "failed"].map((status) => html`<option value=${status}>
              ${this.t(...{ running: ["Đang chạy", "Running"], queued: ["Đang chờ", "Queued"],
                            succeeded: ["Xong", "Succeeded"], failed: ["Lỗi", "Failed"] }[status])}</option>`)}
          </select></label>
        <button type="submit">${this.t("Lọc", "Filter")}</button>
        <button type="button" class="secondary" @click=${this.refresh}>${this.t("Làm mới", "Refresh")}</button>
      </form>
      ${this.table(this.runs, runColumns(this, (r) => (r.status === "failed"
        ? html`<button @click=${() => this.retry(r)}
                       aria-label=${this.t(`Chạy lại ${jobName(this, r.name)}`, `Retry ${jobName(this, r.name)}`)}>
            ${this.t("Chạy lại", "Retry")}</button>` : nothing)), this.t("Các lần chạy", "Runs"))}`;
  }
}

customElements.define("identity-jobs", JobsPage);
