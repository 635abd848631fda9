// Collaborator results: per month, quarter or year, the leads each partner referred, how many converted, the
// revenue they brought and the commission earned under the partner's policy in force on each sale's day.
import { CrmPage, formValues, html, PagedList } from "crm-ui";
import { API, KINDS, label, money, PERIODS, thisMonth } from "./shared.js";

class ResultsPage extends CrmPage {
  results = new PagedList(this, `${API}/results`, { period: "month", period_start: thisMonth(), kind: "collaborator" });

  choose(event) {
    event.preventDefault();
    return this.act(() => this.results.reload(formValues(event.target.form ?? event.target)));
  }

  render() {
    const q = this.results.query;
    return html`<h1>${this.t("Kết quả cộng tác viên", "Collaborator results")}</h1>
      <form aria-label=${this.t("Chọn kỳ", "Choose the period")} @change=${this.choose} @submit=${this.choose}>
        <label>${this.t("Kỳ", "Period")} <select name="period">${Object.keys(PERIODS).map((p) => html`<option value=${p} ?selected=${p === q.period}>${label(this, PERIODS, p)}</option>`)}</select></label>
        <label>${this.t("Bắt đầu kỳ", "Period start")} <input name="period_start" type="date" required .value=${q.period_start}></label>
        <label>${this.t("Loại đối tác", "Partner kind")} <select name="kind">${Object.keys(KINDS).map((k) => html`<option value=${k} ?selected=${k === q.kind}>${label(this, KINDS, k)}</option>`)}</select></label>
      </form>
      ${this.renderProblem()}
      ${this.table(this.results, [
        [this.t("Đối tác", "Partner"), (r) => r.customer_name],
        [this.t("Hạng", "Tier"), (r) => r.tier],
        [this.t("Giới thiệu", "Referred"), (r) => r.leads_referred],
        [this.t("Chuyển đổi", "Converted"), (r) => `${r.converted} (${r.conversion_percent}%)`],
        [this.t("Thắng", "Won"), (r) => r.won],
        [this.t("Doanh số", "Revenue"), (r) => money(this, r.revenue, r.currency)],
        [this.t("Hoa hồng", "Commission"), (r) => html`<span data-commission>${money(this, r.commission, r.currency)}</span>`],
      ], this.t("Kết quả theo kỳ", "Results for the period"))}`;
  }
}

customElements.define("partners-results", ResultsPage);
