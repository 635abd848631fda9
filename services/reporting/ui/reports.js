// Printed and exported reports: ask for one (a job writes it), follow its progress, download the file.
import { CrmPage, formValues, html, PagedList } from "crm-ui";

const REPORTS = "/api/reporting/v1/reports";
const NAMES = { potential_customers: ["Danh sách khách hàng tiềm năng", "Potential customers"],
                customer_activity: ["Giao dịch với khách hàng", "Interactions and transactions per customer"],
                sales_by_product: ["Tổng hợp bán hàng theo mặt hàng và tháng", "Sales by product and month"],
                debt: ["Công nợ theo tuổi nợ", "Debt by age"] };
const STATUS = { queued: ["đang chờ", "queued"], running: ["đang chạy", "running"], done: ["xong", "done"],
                 failed: ["lỗi", "failed"] };

class ReportsPage extends CrmPage {
  reports = new PagedList(this, REPORTS);

  create(event) {
    event.preventDefault();
    return this.createIn(this.reports, event.target, REPORTS, formValues(event.target),
                         this.t("Đã yêu cầu báo cáo; tải về khi xong.", "Report requested; download it when done."));
  }

  async download(report) {
    const link = await this.act(() => this.api(`${REPORTS}/${report.id}/download`));
    if (link) window.location.assign(link.url);
  }

  render() {
    return html`<h1>${this.t("Báo cáo in và xuất", "Printed and exported reports")}</h1>
      <form @submit=${this.create} aria-label=${this.t("Yêu cầu báo cáo", "Request a report")}>
        <label>${this.t("Báo cáo", "Report")} <select name="report">
          ${Object.entries(NAMES).map(([id, name]) => html`<option value=${id}>${this.t(...name)}</option>`)}
        </select></label>
        <label>${this.t("Định dạng", "Format")} <select name="format">
          <option value="pdf">PDF</option><option value="xlsx">XLSX</option><option value="csv">CSV</option>
        </select></label>
        <label>${this.t("Ngôn ngữ", "Language")} <select name="language" .value=${this.lang}>
          <option value="vi">Tiếng Việt</option><option value="en">English</option></select></label>
        <label>${this.t("Từ ngày", "From")} <input type="date" name="date_from"></label>
        <label>${this.t("Đến ngày", "To")} <input type="date" name="date_to"></label>
        <button type="submit">${this.t("Yêu cầu", "Request")}</button>
      </form>
      ${this.renderProblem()}
      <button class="secondary" @click=${() => this.act(() => this.reports.reload())}>${this.t("Làm mới", "Refresh")}</button>
      ${this.table(this.reports, [
        [this.t("Báo cáo", "Report"), (r) => this.t(...(NAMES[r.report] ?? [r.report, r.report]))],
        [this.t("Định dạng", "Format"), (r) => r.file_format.toUpperCase()],
        [this.t("Trạng thái", "Status"), (r) => html`<span class="badge">${this.t(...(STATUS[r.status] ?? [r.status, r.status]))}</span>`],
        [this.t("Dòng", "Rows"), (r) => `${r.rows_done}${r.rows_total !== null ? ` / ${r.rows_total}` : ""}`],
        [this.t("Yêu cầu lúc", "Requested"), (r) => this.date(r.created_at)],
        ["", (r) => (r.status === "done" ? html`<button class="secondary" @click=${() => this.download(r)}>
          ${this.t("Tải về", "Download")}</button>` : "")],
      ])}`;
  }
}

customElements.define("reporting-reports", ReportsPage);
